import {
  ConditionType,
  ImplementationSpecReason,
  type ImplementationSpec,
  type ImplementationSpecStatus,
} from '@agents/api';
import { rfc3339, setCondition } from '@agents/kube';

const LIMITS = { text: 131072, summary: 256, description: 131072, acceptanceCriteria: 50 };

/** The first problem of an ImplementationSpec (the API server already enforces most; this catches what it cannot). */
export function implementationSpecProblem(
  s: ImplementationSpec['spec'],
): { reason: string; message: string } | undefined {
  if (!s.text?.trim())
    return {
      reason: ImplementationSpecReason.MissingText,
      message: 'spec.text is empty: it is the prompt of every run',
    };
  if (s.text.length > LIMITS.text)
    return {
      reason: ImplementationSpecReason.TextTooLarge,
      message: `spec.text is longer than ${LIMITS.text} characters`,
    };
  if ((s.summary?.length ?? 0) > LIMITS.summary)
    return {
      reason: ImplementationSpecReason.SummaryTooLong,
      message: `spec.summary is longer than ${LIMITS.summary} characters`,
    };
  if ((s.description?.length ?? 0) > LIMITS.description) {
    return {
      reason: ImplementationSpecReason.DescriptionTooLarge,
      message: `spec.description is longer than ${LIMITS.description} characters`,
    };
  }
  if ((s.acceptanceCriteria?.length ?? 0) > LIMITS.acceptanceCriteria) {
    return {
      reason: ImplementationSpecReason.AcceptanceCriteriaTooLong,
      message: `more than ${LIMITS.acceptanceCriteria} acceptance criteria`,
    };
  }
  const blankKey = (s.contract?.requiredKeys ?? []).findIndex((k) => !k.trim());
  if (blankKey >= 0)
    return {
      reason: ImplementationSpecReason.InvalidContract,
      message: `spec.contract.requiredKeys[${blankKey}] is blank`,
    };
  const badMapping = (s.contract?.mappings ?? []).findIndex((m) => !m.from.trim() || !m.to.trim());
  if (badMapping >= 0)
    return {
      reason: ImplementationSpecReason.InvalidContract,
      message: `spec.contract.mappings[${badMapping}] needs both from and to`,
    };
  return undefined;
}

export function implementationSpecStatus(spec: ImplementationSpec, now: Date): ImplementationSpecStatus {
  const gen = spec.metadata.generation;
  const problem = implementationSpecProblem(spec.spec);
  let conditions = setCondition(
    spec.status?.conditions,
    problem
      ? { type: ConditionType.Ready, status: 'False', ...problem }
      : {
          type: ConditionType.Ready,
          status: 'True',
          reason: ImplementationSpecReason.ValidSpec,
          message: 'implementation spec ready',
        },
    gen,
    now,
  );
  conditions = setCondition(
    conditions,
    problem
      ? { type: ConditionType.InvalidSpec, status: 'True', ...problem }
      : { type: ConditionType.InvalidSpec, status: 'False', reason: ImplementationSpecReason.ValidSpec },
    gen,
    now,
  );
  return { ...spec.status, conditions, observedGeneration: gen, syncedAt: spec.status?.syncedAt ?? rfc3339(now) };
}
