import { AgentReason, ConditionType, type Agent, type AgentProvider, type AgentStatus, type Memory } from '@agents/api';
import { findCondition, setCondition, type ConditionInput } from '@agents/kube';

export interface AgentObserved {
  provider: AgentProvider | undefined;
  /** The referenced Memory; undefined when referenced but missing, null when none is referenced. */
  memory: Memory | undefined | null;
}

/** The problem that makes an Agent unusable, first one wins; undefined when it can run. */
function agentProblem(
  agent: Agent,
  o: AgentObserved,
): { reason: string; message: string; invalid: boolean } | undefined {
  const providerName = agent.spec.providerRef?.name;
  if (!providerName)
    return { reason: AgentReason.MissingProviderRef, message: 'spec.providerRef.name is required', invalid: true };
  if (!o.provider)
    return {
      reason: AgentReason.MissingProvider,
      message: `AgentProvider ${providerName} not found in this namespace`,
      invalid: true,
    };
  if (o.memory === undefined) {
    return {
      reason: AgentReason.MissingMemory,
      message: `Memory ${agent.spec.memoryRef?.name} not found in this namespace`,
      invalid: true,
    };
  }
  const defaults = agent.spec.defaults;
  if (!defaults?.systemPrompt && !defaults?.systemPromptRef) {
    return {
      reason: 'MissingSystemPromptConfiguration',
      message: 'every run needs a system prompt: set spec.defaults.systemPrompt or spec.defaults.systemPromptRef',
      invalid: true,
    };
  }
  const providerReady = findCondition(o.provider.status?.conditions, ConditionType.Ready);
  if (providerReady?.status === 'False') {
    return {
      reason: AgentReason.ProviderNotReady,
      message: `AgentProvider ${providerName} is not ready: ${providerReady.message}`,
      invalid: false,
    };
  }
  return undefined;
}

export function agentStatus(agent: Agent, o: AgentObserved, now: Date): AgentStatus {
  const gen = agent.metadata.generation;
  const problem = agentProblem(agent, o);
  const set = (conditions: AgentStatus['conditions'], c: ConditionInput) => setCondition(conditions, c, gen, now);
  let conditions = agent.status?.conditions;
  if (problem) {
    conditions = set(conditions, {
      type: ConditionType.Ready,
      status: 'False',
      reason: problem.reason,
      message: problem.message,
    });
    conditions = set(conditions, {
      type: ConditionType.InvalidSpec,
      status: problem.invalid ? 'True' : 'False',
      reason: problem.invalid ? problem.reason : AgentReason.ValidSpec,
      message: problem.invalid ? problem.message : '',
    });
  } else {
    conditions = set(conditions, {
      type: ConditionType.Ready,
      status: 'True',
      reason: AgentReason.ValidSpec,
      message: 'agent ready',
    });
    conditions = set(conditions, { type: ConditionType.InvalidSpec, status: 'False', reason: AgentReason.ValidSpec });
  }
  return { ...agent.status, conditions, observedGeneration: gen };
}
