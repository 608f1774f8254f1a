import {
  AgentRunReason as R,
  type AgentRun,
  type ArtifactRef,
  type RunnerStatusFile,
  type WorkflowStep,
  type WorkflowStepStatus,
} from '@agents/api';
import { makeName, rfc3339 } from '@agents/kube';
import { DEFAULT_LOOP_CONTROL_PATH, evaluateLoopCondition, loopControlOf } from './agent-run.loop.js';
import type { JobOutcome } from './agent-run.status.js';

/**
 * The native workflow runtime (REFERENCE §3.2) as a pure state machine: steps run strictly in order, one Job per
 * attempt, a failed attempt is retried after a fixed backoff while attempts remain, and a step with a loop runs again
 * while its condition holds. The reconciler observes the current attempt's Job, asks `planWorkflow` what to do, and
 * does it; everything the plan needs is in the run's spec and status, so a restart loses nothing.
 */

export const StepPhase = {
  Pending: 'Pending',
  Running: 'Running',
  Retrying: 'Retrying',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
} as const;

/** Failures of a step no retry can fix: the provider is out of capacity or its credentials are gone. */
const NOT_RETRIED = new Set<string>([R.ProviderCapacityExhausted, R.ProviderAuthUnavailable]);

/** The name suffix of one attempt's Job and ConfigMaps: `step-<i>-attempt-<n>`, `step-<i>-iter-<k>-attempt-<n>`. */
export const attemptSuffix = (stepIndex: number, attempt: number, iteration?: number): string =>
  iteration === undefined
    ? `step-${stepIndex}-attempt-${attempt}`
    : `step-${stepIndex}-iter-${iteration}-attempt-${attempt}`;

export const attemptJobName = (run: AgentRun, suffix: string): string => makeName(run.metadata.name ?? '', suffix);

/** What the reconciler saw of the current attempt's Job. */
export type AttemptObservation =
  | { kind: 'missing' }
  | {
      kind: 'job';
      outcome: JobOutcome;
      /** The Job's `agents.proompteng.ai/loop-control` annotation, if any. */
      loopControl?: string;
    };

/** The attempt to start: which step (0-based), which attempt and iteration, and its Job's name suffix. */
export interface AttemptToStart {
  step: number;
  attempt: number;
  iteration?: number;
  suffix: string;
  jobName: string;
}

export interface WorkflowOutcome {
  phase: 'Succeeded' | 'Failed' | 'Cancelled';
  reason: string;
  message: string;
  runner?: RunnerStatusFile;
}

export type WorkflowDecision = {
  steps: WorkflowStepStatus[];
  /** Artifacts the runners of steps that just succeeded produced. */
  produced: ArtifactRef[];
  /** Jobs of attempts given up on (timed out) to delete. */
  stop: string[];
} & (
  | {
      kind: 'start';
      start: AttemptToStart;
      /**
       * The steps as they stood before this start: what was decided about earlier attempts (a step succeeded, an
       * attempt failed or timed out). The reconciler records it before it creates anything, so nothing decided is
       * lost if the next attempt cannot be created yet (a provider hold, an API error, a crash).
       */
      settled: WorkflowStepStatus[];
    }
  | { kind: 'wait'; requeueAfterMs?: number }
  | { kind: 'finish'; outcome: WorkflowOutcome }
);

export interface WorkflowOptions {
  /** Loop iterations kept in a step's status (older ones are counted as pruned). */
  historyLimit: number;
}

/** The step a running workflow is on (0-based) and its current Job, when that step has one running. */
export function currentAttempt(run: AgentRun): { step: number; jobName: string } | undefined {
  const steps = alignSteps(run.spec.workflow?.steps ?? [], run.status?.workflow?.steps);
  const i = steps.findIndex((s) => s.phase !== StepPhase.Succeeded);
  const st = steps[i];
  if (!st || st.phase !== StepPhase.Running || !st.jobRef?.name) return undefined;
  return { step: i, jobName: st.jobRef.name };
}

/** The status steps in spec order, by name; a step without status yet is Pending. */
function alignSteps(spec: WorkflowStep[], status: WorkflowStepStatus[] | undefined): WorkflowStepStatus[] {
  const byName = new Map((status ?? []).map((s) => [s.name, s]));
  return spec.map((s) => structuredClone(byName.get(s.name) ?? { name: s.name, phase: StepPhase.Pending, attempt: 0 }));
}

/**
 * What the workflow does next, from its status and the current attempt's Job. It moves through as many steps as it
 * can decide now (a step that succeeded hands over to the next at once) and stops at the first thing to create, to
 * wait for, or at the run's end.
 */
export function planWorkflow(
  run: AgentRun,
  observed: AttemptObservation | undefined,
  now: Date,
  options: WorkflowOptions,
): WorkflowDecision {
  const specSteps = run.spec.workflow?.steps ?? [];
  const steps = alignSteps(specSteps, run.status?.workflow?.steps);
  const produced: ArtifactRef[] = [];
  const stop: string[] = [];
  const at = rfc3339(now);
  const nowMs = now.getTime();
  let lastRunner: RunnerStatusFile | undefined;

  const transition = (st: WorkflowStepStatus, phase: string, message: string) => {
    if (st.phase !== phase) st.lastTransitionTime = at;
    st.phase = phase;
    st.message = message;
  };
  const finish = (outcome: WorkflowOutcome): WorkflowDecision => ({
    kind: 'finish',
    steps,
    produced,
    stop,
    outcome: lastRunner && !outcome.runner ? { ...outcome, runner: lastRunner } : outcome,
  });
  const start = (i: number, attempt: number): WorkflowDecision => {
    const settled = structuredClone(steps);
    const st = steps[i]!;
    const loop = specSteps[i]!.loop;
    const iteration = loop ? (st.loop?.currentIteration ?? 1) : undefined;
    const suffix = attemptSuffix(i + 1, attempt, iteration);
    const jobName = attemptJobName(run, suffix);
    const of = `attempt ${attempt} of ${maxAttempts(specSteps[i]!)}`;
    transition(
      st,
      StepPhase.Running,
      iteration === undefined
        ? `${of} is running`
        : `iteration ${iteration} of ${loop!.maxIterations}, ${of} is running`,
    );
    Object.assign(st, { attempt, startedAt: at, jobRef: { name: jobName, namespace: run.metadata.namespace } });
    delete st.jobObservedAt;
    delete st.nextRetryAt;
    delete st.finishedAt;
    if (loop && !st.loop)
      st.loop = { currentIteration: 1, completedIterations: 0, maxIterations: loop.maxIterations, iterations: [] };
    return {
      kind: 'start',
      steps,
      settled,
      produced,
      stop,
      start: { step: i, attempt, iteration, suffix, jobName },
    };
  };

  /** The step's attempt failed: retried after the backoff while attempts remain, else the run fails. */
  const attemptFailed = (i: number, cause: string, message: string): WorkflowDecision | undefined => {
    const st = steps[i]!;
    const spec = specSteps[i]!;
    const attempt = st.attempt ?? 1;
    const max = maxAttempts(spec);
    if (attempt < max && !NOT_RETRIED.has(cause)) {
      const retryAt = nowMs + (spec.retryBackoffSeconds ?? 0) * 1000;
      transition(st, StepPhase.Retrying, `attempt ${attempt} of ${max} failed (${cause}): ${message}`);
      st.nextRetryAt = rfc3339(new Date(retryAt));
      return undefined;
    }
    transition(st, StepPhase.Failed, `attempt ${attempt} of ${max} failed (${cause}): ${message}`);
    st.finishedAt = at;
    recordIteration(st, StepPhase.Failed, at, options.historyLimit);
    const reason = NOT_RETRIED.has(cause)
      ? cause
      : cause === R.WorkflowStepTimedOut || cause === R.WorkflowJobMissing
        ? cause
        : max > 1
          ? R.WorkflowStepRetriesExhausted
          : R.WorkflowStepFailed;
    return finish({
      phase: 'Failed',
      reason,
      message:
        `workflow step ${st.name} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${cause}: ${message}`.slice(
          0,
          1024,
        ),
    });
  };

  /** The step's attempt succeeded: the step is done, or (a loop) goes round again while its condition holds. */
  const attemptSucceeded = (i: number, loopControl: string | undefined, runner: RunnerStatusFile | undefined) => {
    const st = steps[i]!;
    const loop = specSteps[i]!.loop;
    if (!loop) {
      transition(st, StepPhase.Succeeded, `succeeded on attempt ${st.attempt ?? 1}`);
      st.finishedAt = at;
      return undefined;
    }
    const state = st.loop!;
    state.completedIterations = (state.completedIterations ?? 0) + 1;
    recordIteration(st, StepPhase.Succeeded, at, options.historyLimit);
    const done = (stopReason: string, message: string) => {
      state.stopReason = stopReason;
      transition(st, StepPhase.Succeeded, message);
      st.finishedAt = at;
      return undefined;
    };
    const fail = (message: string) => {
      state.stopReason = R.LoopConditionError;
      transition(st, StepPhase.Failed, message);
      st.finishedAt = at;
      return finish({
        phase: 'Failed',
        reason: R.WorkflowLoopConditionError,
        message: `workflow step ${st.name}: ${message}`,
      });
    };
    const again = () => {
      state.currentIteration = (state.currentIteration ?? 1) + 1;
      transition(
        st,
        StepPhase.Pending,
        `Loop continuing: iteration ${state.currentIteration} of ${loop.maxIterations}`,
      );
      st.attempt = 0;
      return undefined;
    };
    if (state.completedIterations >= loop.maxIterations)
      return done(
        R.LoopMaxIterationsReached,
        `loop finished after ${state.completedIterations} iterations (the maximum)`,
      );
    const cond = loop.condition;
    if (!cond?.expression) return again();
    const source = cond.source ?? {};
    const control = loopControlOf(loopControl, runner, source.path ?? DEFAULT_LOOP_CONTROL_PATH);
    if (control.kind !== 'control') {
      const policy = control.kind === 'missing' ? (source.onMissing ?? 'stop') : (source.onInvalid ?? 'stop');
      const why = control.kind === 'missing' ? 'iteration wrote no loop control' : control.why;
      return policy === 'fail'
        ? fail(`loop condition error: ${why}`)
        : done(R.LoopConditionFalse, `loop stopped after iteration ${state.completedIterations}: ${why}`);
    }
    state.lastControl = control.control;
    const result = evaluateLoopCondition(cond.expression, {
      index: state.completedIterations,
      maxIterations: loop.maxIterations,
      last: { phase: StepPhase.Succeeded, control: control.control },
    });
    if ('error' in result) return fail(`loop condition error: ${result.error}`);
    return result.continue
      ? again()
      : done(R.LoopConditionFalse, `loop stopped after iteration ${state.completedIterations}: the condition is false`);
  };

  for (;;) {
    const i = steps.findIndex((s) => s.phase !== StepPhase.Succeeded);
    if (i < 0) {
      return finish({
        phase: 'Succeeded',
        reason: R.Completed,
        message: `all ${steps.length} workflow step${steps.length === 1 ? '' : 's'} succeeded`,
      });
    }
    const st = steps[i]!;
    const spec = specSteps[i]!;
    switch (st.phase) {
      case StepPhase.Failed:
        return finish({ phase: 'Failed', reason: R.WorkflowStepFailed, message: `workflow step ${st.name} failed` });
      case StepPhase.Cancelled:
        return finish({
          phase: 'Cancelled',
          reason: R.RunnerCancelled,
          message: `workflow step ${st.name} was cancelled`,
        });
      case StepPhase.Retrying: {
        const retryAt = Date.parse(st.nextRetryAt ?? '');
        if (Number.isFinite(retryAt) && retryAt > nowMs)
          return { kind: 'wait', steps, produced, stop, requeueAfterMs: retryAt - nowMs };
        return start(i, (st.attempt ?? 0) + 1);
      }
      case StepPhase.Running: {
        const jobName = st.jobRef?.name ?? '';
        if (!observed) return { kind: 'wait', steps, produced, stop };
        if (observed.kind === 'missing') {
          const decided = attemptFailed(i, R.WorkflowJobMissing, `Job ${jobName} was deleted before it finished`);
          observed = undefined;
          if (decided) return decided;
          continue;
        }
        const { outcome } = observed;
        if (!outcome.done) {
          st.jobObservedAt ??= at;
          const timeout = spec.timeoutSeconds ?? 0;
          const deadline = Date.parse(st.startedAt ?? at) + timeout * 1000;
          if (timeout > 0 && nowMs >= deadline) {
            stop.push(jobName);
            observed = undefined;
            const decided = attemptFailed(i, R.WorkflowStepTimedOut, `Job ${jobName} ran for over ${timeout}s`);
            if (decided) return decided;
            continue;
          }
          return { kind: 'wait', steps, produced, stop, ...(timeout > 0 ? { requeueAfterMs: deadline - nowMs } : {}) };
        }
        const loopControl = observed.loopControl;
        observed = undefined;
        st.jobObservedAt ??= at;
        if (outcome.runner) lastRunner = outcome.runner;
        if (outcome.phase === 'Succeeded') {
          produced.push(...(outcome.runner?.artifacts ?? []));
          const decided = attemptSucceeded(i, loopControl, outcome.runner);
          if (decided) return decided;
          continue;
        }
        // A runner stopped from outside (a drained node, an evicted pod) failed its attempt; a cancel asked of the
        // run never gets here (the reconciler ends the run first).
        const decided = attemptFailed(i, outcome.reason, outcome.message);
        if (decided) return decided;
        continue;
      }
      default:
        return start(i, (st.attempt ?? 0) + 1);
    }
  }
}

/** The attempt a decision starts could not be created (its spec no longer resolves, the API refused it): the run fails. */
export function failedStart(
  decision: Extract<WorkflowDecision, { kind: 'start' }>,
  outcome: WorkflowOutcome,
  now: Date,
): Extract<WorkflowDecision, { kind: 'finish' }> {
  const at = rfc3339(now);
  const steps = decision.steps.map((s, k) => {
    if (k !== decision.start.step) return s;
    const { jobRef: _never, ...rest } = s;
    return { ...rest, phase: StepPhase.Failed, message: outcome.message, finishedAt: at, lastTransitionTime: at };
  });
  return { kind: 'finish', steps, produced: decision.produced, stop: decision.stop, outcome };
}

/** Whether a start decision settled anything about earlier attempts that the run's status does not say yet. */
export function settledChanged(run: AgentRun, decision: Extract<WorkflowDecision, { kind: 'start' }>): boolean {
  const before = alignSteps(run.spec.workflow?.steps ?? [], run.status?.workflow?.steps);
  return JSON.stringify(before) !== JSON.stringify(decision.settled) || decision.produced.length > 0;
}

const maxAttempts = (step: WorkflowStep): number => (step.retries ?? 0) + 1;

/** Appends the current iteration of a loop step to its history (bounded: the oldest are dropped and counted). */
function recordIteration(st: WorkflowStepStatus, phase: string, at: string, limit: number): void {
  const state = st.loop;
  if (!state) return;
  const iterations = state.iterations ?? [];
  iterations.push({
    index: state.currentIteration ?? 1,
    phase,
    attempts: st.attempt ?? 1,
    ...(st.startedAt ? { startedAt: st.startedAt } : {}),
    finishedAt: at,
    ...(st.jobRef ? { jobRef: st.jobRef } : {}),
  });
  const pruned = Math.max(0, iterations.length - limit);
  state.iterations = iterations.slice(pruned);
  state.prunedIterations = (state.prunedIterations ?? 0) + pruned;
  state.retainedIterations = state.iterations.length;
}
