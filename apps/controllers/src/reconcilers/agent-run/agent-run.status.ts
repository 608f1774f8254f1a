import {
  AgentRunPhase,
  AgentRunReason as R,
  ConditionType as C,
  type AgentRun,
  type AgentRunStatus,
  type ArtifactRef,
  type RunnerStatusFile,
} from '@agents/api';
import { removeCondition, rfc3339, setCondition, type ConditionInput } from '@agents/kube';
import { createHash } from 'node:crypto';
import { classifyProviderFailure } from '../provider-failure.js';
import type { Resolved } from './agent-run.resolve.js';
import type { WorkflowDecision } from './agent-run.workflow.js';

type Conditions = AgentRunStatus['conditions'];

/** The spec fields a run may not change once accepted, hashed canonically (sorted keys, sorted secrets). */
export function specHash(run: AgentRun): string {
  const s = run.spec;
  const immutable = {
    agentRef: s.agentRef,
    implementationSpecRef: s.implementationSpecRef,
    implementation: s.implementation,
    goal: s.goal,
    runtime: s.runtime,
    workflow: s.workflow,
    secrets: [...(s.secrets ?? [])].sort(),
    systemPrompt: s.systemPrompt,
    systemPromptRef: s.systemPromptRef,
    vcsRef: s.vcsRef,
    memoryRef: s.memoryRef,
  };
  return createHash('sha256').update(canonicalJson(immutable)).digest('hex');
}

export function canonicalJson(v: unknown): string {
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
}

const PHASE_READY = ['Succeeded'];
const PHASE_PROGRESSING = ['Pending', 'Running'];
const PHASE_DEGRADED = ['Failed', 'Cancelled'];

/** Ready / Progressing / Degraded derived from the phase (and Blocked), on every write. */
function withStandard(
  conditions: Conditions,
  phase: string,
  blocked: boolean,
  gen: number | undefined,
  now: Date,
): NonNullable<Conditions> {
  const set = (c: Conditions, input: ConditionInput) => setCondition(c, input, gen, now);
  let out = set(conditions, {
    type: C.Ready,
    status: PHASE_READY.includes(phase) || phase === 'Template' ? 'True' : 'False',
    reason: phase || 'Pending',
  });
  out = set(out, {
    type: C.Progressing,
    status: PHASE_PROGRESSING.includes(phase) && !blocked ? 'True' : 'False',
    reason: blocked ? 'Blocked' : phase || 'Pending',
  });
  out = set(out, {
    type: C.Degraded,
    status: PHASE_DEGRADED.includes(phase) ? 'True' : 'False',
    reason: phase || 'Pending',
  });
  return out;
}

function base(run: AgentRun): AgentRunStatus {
  return { ...run.status };
}

export function templateStatus(run: AgentRun, now: Date): AgentRunStatus {
  const gen = run.metadata.generation;
  let conditions = setCondition(
    run.status?.conditions,
    { type: C.Ready, status: 'True', reason: R.Template, message: 'template run: never executed' },
    gen,
    now,
  );
  conditions = removeCondition(conditions, C.Progressing);
  return {
    ...base(run),
    phase: AgentRunPhase.Template,
    reason: R.Template,
    message: 'template run: never executed',
    conditions,
    observedGeneration: gen,
  };
}

/** Held back by a limit or by its provider's health: stays Pending with Blocked=True. */
export function blockedStatus(run: AgentRun, reason: string, message: string, now: Date): AgentRunStatus {
  const gen = run.metadata.generation;
  let conditions = setCondition(run.status?.conditions, { type: C.Blocked, status: 'True', reason, message }, gen, now);
  conditions = withStandard(conditions, AgentRunPhase.Pending, true, gen, now);
  return { ...base(run), phase: AgentRunPhase.Pending, reason, message, conditions, observedGeneration: gen };
}

/** Ended before it started: invalid spec, duplicate, or a failure found while resolving. */
export function failedBeforeStartStatus(
  run: AgentRun,
  failure: { reason: string; message: string; condition: 'InvalidSpec' | 'Failed' | 'Duplicate' },
  now: Date,
): AgentRunStatus {
  const gen = run.metadata.generation;
  let conditions = run.status?.conditions;
  const set = (input: ConditionInput) => (conditions = setCondition(conditions, input, gen, now));
  if (failure.condition !== 'Failed')
    set({ type: failure.condition, status: 'True', reason: failure.reason, message: failure.message });
  set({ type: C.Failed, status: 'True', reason: failure.reason, message: failure.message });
  set({ type: C.Succeeded, status: 'False', reason: failure.reason, message: failure.message });
  conditions = removeCondition(conditions, C.Blocked);
  conditions = withStandard(conditions, AgentRunPhase.Failed, false, gen, now);
  return {
    ...base(run),
    phase: AgentRunPhase.Failed,
    reason: failure.reason,
    message: failure.message,
    finishedAt: rfc3339(now),
    conditions,
    observedGeneration: gen,
  };
}

/** status.vcs of a run with a resolved Git context. */
function vcsStatus(r: Resolved): Pick<AgentRunStatus, 'vcs'> {
  if (!r.vcs) return {};
  const { provider, repository, baseBranch, headBranch, mode } = r.vcs;
  return { vcs: { provider, repository, baseBranch, headBranch, mode } };
}

/** Submitted: the Job exists, its pod has not started yet (Pending with a runtimeRef). */
export function submittedStatus(
  run: AgentRun,
  r: Resolved,
  job: { name: string; uid?: string },
  now: Date,
): AgentRunStatus {
  const gen = run.metadata.generation;
  let conditions = run.status?.conditions;
  const set = (input: ConditionInput) => (conditions = setCondition(conditions, input, gen, now));
  set({ type: C.Accepted, status: 'True', reason: R.Submitted, message: `Job ${job.name} created` });
  set({ type: C.InProgress, status: 'True', reason: R.Submitted, message: 'waiting for the runner pod to start' });
  set({ type: C.Blocked, status: 'False', reason: R.NotBlocked });
  if (r.vcsSkipped)
    set({ type: C.VcsSkipped, status: 'True', reason: r.vcsSkipped.reason, message: r.vcsSkipped.message });
  conditions = withStandard(conditions, AgentRunPhase.Pending, false, gen, now);
  return {
    ...base(run),
    phase: AgentRunPhase.Pending,
    reason: R.Submitted,
    message: `Job ${job.name} created; waiting for its pod to start`,
    startedAt: run.status?.startedAt ?? rfc3339(now),
    runtimeRef: {
      type: 'job',
      name: job.name,
      namespace: run.metadata.namespace,
      ...(job.uid ? { uid: job.uid } : {}),
    },
    specHash: specHash(run),
    systemPromptHash: r.systemPrompt.sha256,
    contract: r.contract,
    ...vcsStatus(r),
    artifacts: (r.provider.spec.outputArtifacts ?? []).slice(0, 50),
    conditions,
    observedGeneration: gen,
  };
}

/** Running: a pod of the run's Job has started. */
export function startedStatus(run: AgentRun, jobName: string, now: Date): AgentRunStatus {
  const gen = run.metadata.generation;
  let conditions = setCondition(
    run.status?.conditions,
    { type: C.InProgress, status: 'True', reason: R.Running, message: 'the runner is working' },
    gen,
    now,
  );
  conditions = withStandard(conditions, AgentRunPhase.Running, false, gen, now);
  return {
    ...base(run),
    phase: AgentRunPhase.Running,
    reason: R.Running,
    message: `Job ${jobName} is running`,
    conditions,
    observedGeneration: gen,
  };
}

/** The parts of a Job and its pods the status is computed from (what the caches keep). */
export interface ObservedJob {
  name: string;
  uid?: string;
  conditions: { type: string; status: string; reason?: string; message?: string }[];
  succeeded: number;
  failed: number;
  /** Termination messages of the runner container of each pod of the Job. */
  terminationMessages: string[];
  /** A pod of the Job is running (or has run): the run is Running, not Pending. */
  started?: boolean;
  /** The last lines of each container's log, read only for a failed Job without a runner status. */
  logs?: string[];
}

/** Lines of each container's log a failed Job's provider failure is looked for in (REFERENCE §2.9 step 7). */
export const FAILURE_LOG_LINES = 120;

export type JobOutcome =
  | { done: false }
  | {
      done: true;
      phase: 'Succeeded' | 'Failed' | 'Cancelled';
      reason: string;
      message: string;
      runner?: RunnerStatusFile;
    };

/** Parses a runner terminal status; undefined unless it is a well-formed one. */
export function parseRunnerStatus(message: string | undefined): RunnerStatusFile | undefined {
  if (!message) return undefined;
  try {
    const v = JSON.parse(message) as RunnerStatusFile;
    return v && ['succeeded', 'failed', 'cancelled'].includes(v.status) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** What the Job says about the run (runner status first: succeeded > failed > cancelled across pods). */
export function jobOutcome(job: ObservedJob): JobOutcome {
  const cond = (type: string) => job.conditions.find((c) => c.type === type && c.status === 'True');
  const complete = cond('Complete');
  const failed = cond('Failed');
  if (!complete && !failed) return { done: false };
  const statuses = job.terminationMessages.map(parseRunnerStatus).filter((s): s is RunnerStatusFile => !!s);
  const runner =
    statuses.find((s) => s.status === 'succeeded') ??
    statuses.find((s) => s.status === 'failed') ??
    statuses.find((s) => s.status === 'cancelled');
  if (runner?.status === 'succeeded')
    return { done: true, phase: 'Succeeded', reason: R.Completed, message: 'the runner finished successfully', runner };
  if (runner?.status === 'cancelled')
    return {
      done: true,
      phase: 'Cancelled',
      reason: R.RunnerCancelled,
      message: runner.error ?? 'the runner was cancelled',
      runner,
    };
  if (runner?.status === 'failed') {
    return {
      done: true,
      phase: 'Failed',
      reason: R.RunnerFailed,
      message: runner.error ?? `the provider exited with code ${runner.exitCode}`,
      runner,
    };
  }
  if (complete) return { done: true, phase: 'Succeeded', reason: R.Completed, message: `Job ${job.name} completed` };
  const provider = classifyProviderFailure((job.logs ?? []).join('\n'));
  if (provider) {
    return {
      done: true,
      phase: 'Failed',
      reason: provider.kind === 'auth' ? R.ProviderAuthUnavailable : R.ProviderCapacityExhausted,
      message: `Job ${job.name} failed; its log says: ${provider.line.slice(0, 512)}`,
    };
  }
  const reason = failed!.reason === 'DeadlineExceeded' ? R.DeadlineExceeded : R.JobFailed;
  return {
    done: true,
    phase: 'Failed',
    reason,
    message: `Job ${job.name} failed: ${failed!.message ?? failed!.reason ?? 'unknown'}`,
  };
}

/** A failed Job whose pods left no runner status: only their logs can tell why (read them, then decide again). */
export function needsFailureLogs(job: ObservedJob, outcome: JobOutcome): boolean {
  return outcome.done && outcome.phase === 'Failed' && !outcome.runner && job.logs === undefined;
}

/** Runner status as stored in status.runner: what the run needs, bounded in size. */
function sanitizeRunner(r: RunnerStatusFile): Record<string, unknown> {
  return {
    status: r.status,
    exitCode: r.exitCode,
    ...(r.signal ? { signal: r.signal } : {}),
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    ...(r.provider ? { provider: r.provider } : {}),
    ...(r.binary ? { binary: r.binary } : {}),
    ...(r.error ? { error: r.error.slice(0, 640) } : {}),
  };
}

/** Artifacts: declared ones first, then the runner's, named, no data: URLs, URLs ≤ 2048 chars, at most `max`. */
export function mergeArtifacts(
  declared: ArtifactRef[],
  produced: ArtifactRef[] | undefined,
  max: number,
): { artifacts: ArtifactRef[]; limited: boolean; problems: string[] } {
  const byName = new Map<string, ArtifactRef>();
  let unnamed = 0;
  let stripped = 0;
  for (const a of [...declared, ...(produced ?? [])]) {
    if (!a?.name) {
      unnamed += 1;
      continue;
    }
    const clean: ArtifactRef = { ...a };
    if (clean.url && (clean.url.startsWith('data:') || clean.url.length > 2048)) {
      delete clean.url;
      stripped += 1;
    }
    byName.set(a.name, clean);
  }
  const all = [...byName.values()];
  const problems = [
    ...(all.length > max ? [`${all.length} artifacts, more than the limit of ${max}`] : []),
    ...(unnamed ? [`${unnamed} without a name`] : []),
    ...(stripped ? [`${stripped} with a data: URL or a URL over 2048 characters`] : []),
  ];
  return { artifacts: all.slice(0, max), limited: problems.length > 0, problems };
}

/** How a run's artifacts are checked: trimmed to `max`, and with `strict` a run that broke a limit fails. */
export interface ArtifactLimits {
  max: number;
  strict?: boolean;
}

export function terminalStatus(
  run: AgentRun,
  done: Extract<JobOutcome, { done: true }>,
  now: Date,
  limits: ArtifactLimits,
): AgentRunStatus {
  const gen = run.metadata.generation;
  let conditions = run.status?.conditions;
  const set = (input: ConditionInput) => (conditions = setCondition(conditions, input, gen, now));
  const { artifacts, limited, problems } = mergeArtifacts(
    run.status?.artifacts ?? [],
    done.runner?.artifacts,
    limits.max,
  );
  const exceeded = limited && limits.strict === true && done.phase !== 'Cancelled';
  // JANGAR_AGENTRUN_ARTIFACTS_STRICT: a run whose artifacts broke a limit fails, whatever its Job did.
  const outcome: typeof done = exceeded
    ? {
        ...done,
        phase: 'Failed',
        reason: R.ArtifactsLimitExceeded,
        message: `the run's artifacts break the limits (${problems.join('; ')}); ${done.message}`.slice(0, 1024),
      }
    : done;
  set({ type: C.InProgress, status: 'False', reason: outcome.reason, message: outcome.message });
  if (outcome.phase === 'Succeeded') {
    set({ type: C.Succeeded, status: 'True', reason: R.Completed, message: outcome.message });
  } else {
    set({ type: C.Succeeded, status: 'False', reason: outcome.reason, message: outcome.message });
    set({
      type: outcome.phase === 'Cancelled' ? C.Cancelled : C.Failed,
      status: 'True',
      reason: outcome.reason,
      message: outcome.message,
    });
  }
  set({
    type: C.ArtifactsLimited,
    status: limited ? 'True' : 'False',
    reason: limited ? R.ArtifactsTrimmed : R.WithinLimits,
    ...(limited ? { message: problems.join('; ') } : {}),
  });
  if (exceeded)
    set({
      type: C.ArtifactsLimitExceeded,
      status: 'True',
      reason: R.ArtifactsLimitExceeded,
      message: problems.join('; '),
    });
  conditions = withStandard(conditions, outcome.phase, false, gen, now);
  // A workflow that ends from outside its steps (cancelled, its spec changed) ends with the run.
  const workflow = run.status?.workflow;
  return {
    ...base(run),
    phase: outcome.phase,
    reason: outcome.reason,
    message: outcome.message,
    finishedAt: rfc3339(now),
    ...(workflow?.phase === 'Running' ? { workflow: endedWorkflow(workflow, outcome, now) } : {}),
    artifacts,
    ...(outcome.runner ? { runner: sanitizeRunner(outcome.runner) } : {}),
    conditions,
    observedGeneration: gen,
  };
}

/** A workflow ended from outside its steps: its step in progress ends with it. */
function endedWorkflow(
  workflow: NonNullable<AgentRunStatus['workflow']>,
  outcome: { phase: string; message: string },
  now: Date,
): NonNullable<AgentRunStatus['workflow']> {
  const at = rfc3339(now);
  const ended = outcome.phase === 'Cancelled' ? 'Cancelled' : 'Failed';
  const steps = (workflow.steps ?? []).map((s) =>
    s.phase === 'Running' || s.phase === 'Retrying'
      ? { ...s, phase: ended, message: outcome.message, finishedAt: at, lastTransitionTime: at }
      : s,
  );
  return { ...workflow, phase: outcome.phase, lastTransitionTime: at, steps };
}

/** A run whose spec changed after it was accepted. */
export function immutabilityWarning(run: AgentRun, enforced: boolean, now: Date): AgentRunStatus {
  const message = 'the spec changed after the run was accepted; runs are immutable: create a new run instead';
  if (enforced) {
    return terminalStatus(run, { done: true, phase: 'Failed', reason: R.SpecImmutableViolation, message }, now, {
      max: 50,
    });
  }
  const conditions = setCondition(
    run.status?.conditions,
    { type: C.Warning, status: 'True', reason: R.SpecImmutableViolation, message },
    run.metadata.generation,
    now,
  );
  return { ...base(run), conditions, observedGeneration: run.metadata.generation };
}

/** What a workflow run is doing, as its status says it (REFERENCE §3.2): the current step and its Job. */
export function workflowRunningStatus(
  run: AgentRun,
  decision: Extract<WorkflowDecision, { kind: 'start' | 'wait' }>,
  now: Date,
  opts: { artifactsMax: number; submitted?: Resolved; jobUid?: string },
): AgentRunStatus {
  const gen = run.metadata.generation;
  const i =
    decision.kind === 'start'
      ? decision.start.step
      : Math.max(
          0,
          decision.steps.findIndex((s) => s.phase !== 'Succeeded'),
        );
  const { jobUid } = opts;
  const steps =
    decision.kind === 'start' && jobUid
      ? decision.steps.map((s, k) => (k === i ? { ...s, jobRef: { ...s.jobRef, uid: jobUid } } : s))
      : decision.steps;
  const step = steps[i]!;
  const r = opts.submitted;
  let conditions = run.status?.conditions;
  const set = (input: ConditionInput) => (conditions = setCondition(conditions, input, gen, now));
  const where = `workflow step ${step.name} (${i + 1} of ${steps.length})`;
  if (r) {
    set({
      type: C.Accepted,
      status: 'True',
      reason: R.Submitted,
      message: `workflow of ${steps.length} steps started`,
    });
    set({ type: C.Blocked, status: 'False', reason: R.NotBlocked });
    if (r.vcsSkipped)
      set({ type: C.VcsSkipped, status: 'True', reason: r.vcsSkipped.reason, message: r.vcsSkipped.message });
  }
  set({ type: C.InProgress, status: 'True', reason: R.Running, message: where });
  conditions = withStandard(conditions, AgentRunPhase.Running, false, gen, now);
  const declared = r ? (r.provider.spec.outputArtifacts ?? []) : (run.status?.artifacts ?? []);
  const { artifacts } = mergeArtifacts(declared, decision.produced, opts.artifactsMax);
  const previous = run.status?.workflow;
  return {
    ...base(run),
    phase: AgentRunPhase.Running,
    reason: R.Running,
    message: `${where}: ${step.message ?? step.phase}`,
    startedAt: run.status?.startedAt ?? rfc3339(now),
    runtimeRef: {
      type: 'workflow',
      name: step.jobRef?.name ?? '',
      namespace: run.metadata.namespace,
      ...(step.jobRef?.uid ? { uid: step.jobRef.uid } : {}),
      runName: run.metadata.name,
      stepName: step.name,
    },
    workflow: {
      phase: 'Running',
      lastTransitionTime:
        previous?.phase === 'Running' && previous.lastTransitionTime ? previous.lastTransitionTime : rfc3339(now),
      steps,
    },
    ...(r
      ? {
          specHash: specHash(run),
          systemPromptHash: r.systemPrompt.sha256,
          contract: r.contract,
          ...vcsStatus(r),
        }
      : {}),
    artifacts,
    conditions,
    observedGeneration: gen,
  };
}

/** A workflow run's end: every step succeeded, or one failed or was cancelled. */
export function workflowTerminalStatus(
  run: AgentRun,
  decision: Extract<WorkflowDecision, { kind: 'finish' }>,
  now: Date,
  limits: ArtifactLimits,
  invalidSpec = false,
): AgentRunStatus {
  const { artifacts } = mergeArtifacts(run.status?.artifacts ?? [], decision.produced, limits.max);
  const workflow = { phase: decision.outcome.phase, lastTransitionTime: rfc3339(now), steps: decision.steps };
  const withSteps: AgentRun = { ...run, status: { ...run.status, workflow, artifacts } };
  const status = terminalStatus(withSteps, { done: true, ...decision.outcome }, now, limits);
  if (!invalidSpec) return status;
  // A later step that no longer resolves (its ImplementationSpec deleted, say) is a spec problem, as at admission.
  const { reason, message } = decision.outcome;
  const conditions = setCondition(
    status.conditions,
    { type: C.InvalidSpec, status: 'True', reason, message },
    run.metadata.generation,
    now,
  );
  return { ...status, conditions };
}
