import type { AgentRun, RunnerStatusFile, WorkflowStep } from '@agents/api';
import { rfc3339 } from '@agents/kube';
import { makeRun } from '../../../test/builders.js';
import { terminalStatus, workflowTerminalStatus, type JobOutcome } from './agent-run.status.js';
import {
  currentAttempt,
  failedStart,
  planWorkflow,
  settledChanged,
  type AttemptObservation,
  type WorkflowDecision,
} from './agent-run.workflow.js';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
/** A status time: RFC 3339 to the second. */
const iso = (seconds: number) => rfc3339(at(seconds));
const options = { historyLimit: 50 };

const workflowRun = (steps: WorkflowStep[]): AgentRun =>
  makeRun('wf')
    .spec({ runtime: { type: 'workflow' }, workflow: { steps } })
    .build();

/** The run as the reconciler leaves it after carrying out a decision (the status it writes). */
function after(run: AgentRun, d: WorkflowDecision): AgentRun {
  return { ...run, status: { ...run.status, workflow: { phase: 'Running', steps: d.steps } } };
}

const runner = (status: RunnerStatusFile['status'], extra: Partial<RunnerStatusFile> = {}): RunnerStatusFile => ({
  status,
  exitCode: status === 'succeeded' ? 0 : 1,
  startedAt: T0.toISOString(),
  finishedAt: T0.toISOString(),
  ...extra,
});
const running: AttemptObservation = { kind: 'job', outcome: { done: false } };
const done = (outcome: Extract<JobOutcome, { done: true }>, loopControl?: string): AttemptObservation => ({
  kind: 'job',
  outcome,
  ...(loopControl !== undefined ? { loopControl } : {}),
});
const succeeded = (extra: Partial<RunnerStatusFile> = {}) =>
  done({ done: true, phase: 'Succeeded', reason: 'Completed', message: 'ok', runner: runner('succeeded', extra) });
const failed = (reason = 'RunnerFailed', message = 'exit 1') =>
  done({ done: true, phase: 'Failed', reason, message, runner: runner('failed') });

/** Plays observations against a run, one reconcile each, and returns every decision. */
function play(run: AgentRun, script: [AttemptObservation | undefined, Date][]): WorkflowDecision[] {
  const decisions: WorkflowDecision[] = [];
  let current = run;
  for (const [observed, now] of script) {
    const d = planWorkflow(current, observed, now, options);
    decisions.push(d);
    current = after(current, d);
  }
  return decisions;
}

const kinds = (ds: WorkflowDecision[]) =>
  ds.map((d) =>
    d.kind === 'start'
      ? `start ${d.start.jobName}`
      : d.kind === 'finish'
        ? `finish ${d.outcome.phase}/${d.outcome.reason}`
        : 'wait',
  );

describe('planWorkflow', () => {
  it('starts the first attempt of the first step of a new workflow', () => {
    const d = planWorkflow(workflowRun([{ name: 'plan' }, { name: 'build' }]), undefined, T0, options);
    expect(d).toMatchObject({
      kind: 'start',
      start: { step: 0, attempt: 1, suffix: 'step-1-attempt-1', jobName: 'wf-step-1-attempt-1' },
    });
    expect(d.steps).toEqual([
      expect.objectContaining({ name: 'plan', phase: 'Running', attempt: 1, startedAt: iso(0) }),
      { name: 'build', phase: 'Pending', attempt: 0 },
    ]);
  });

  it.each<[string, WorkflowStep[], [AttemptObservation | undefined, Date][], string[]]>([
    [
      'steps run strictly in order, a succeeded step handing over to the next at once',
      [{ name: 'plan' }, { name: 'build' }],
      [
        [undefined, at(0)],
        [running, at(1)],
        [succeeded(), at(2)],
        [succeeded(), at(3)],
      ],
      ['start wf-step-1-attempt-1', 'wait', 'start wf-step-2-attempt-1', 'finish Succeeded/Completed'],
    ],
    [
      'a failed attempt waits out its backoff, then the next attempt starts',
      [{ name: 'build', retries: 2, retryBackoffSeconds: 10 }],
      [
        [undefined, at(0)],
        [failed(), at(5)],
        [undefined, at(10)],
        [undefined, at(15)],
        [succeeded(), at(20)],
      ],
      ['start wf-step-1-attempt-1', 'wait', 'wait', 'start wf-step-1-attempt-2', 'finish Succeeded/Completed'],
    ],
    [
      'with no backoff the next attempt starts in the same reconcile',
      [{ name: 'build', retries: 1 }],
      [
        [undefined, at(0)],
        [failed(), at(1)],
      ],
      ['start wf-step-1-attempt-1', 'start wf-step-1-attempt-2'],
    ],
    [
      'a step without retries fails the run at its first failure',
      [{ name: 'build' }, { name: 'never' }],
      [
        [undefined, at(0)],
        [failed(), at(1)],
      ],
      ['start wf-step-1-attempt-1', 'finish Failed/WorkflowStepFailed'],
    ],
    [
      'the last of several attempts failing exhausts the retries',
      [{ name: 'build', retries: 1 }],
      [
        [undefined, at(0)],
        [failed(), at(1)],
        [failed(), at(2)],
      ],
      ['start wf-step-1-attempt-1', 'start wf-step-1-attempt-2', 'finish Failed/WorkflowStepRetriesExhausted'],
    ],
    [
      'a provider out of capacity is never retried',
      [{ name: 'build', retries: 3 }],
      [
        [undefined, at(0)],
        [failed('ProviderCapacityExhausted', 'rate limited'), at(1)],
      ],
      ['start wf-step-1-attempt-1', 'finish Failed/ProviderCapacityExhausted'],
    ],
    [
      'a Job deleted mid-attempt is retried, and fails the run once no attempt is left',
      [{ name: 'build', retries: 1 }],
      [
        [undefined, at(0)],
        [{ kind: 'missing' }, at(1)],
        [{ kind: 'missing' }, at(2)],
      ],
      ['start wf-step-1-attempt-1', 'start wf-step-1-attempt-2', 'finish Failed/WorkflowJobMissing'],
    ],
    [
      'an attempt past its timeout is retried, and the last one fails the run as timed out',
      [{ name: 'build', retries: 1, timeoutSeconds: 30 }],
      [
        [undefined, at(0)],
        [running, at(29)],
        [running, at(30)],
        [running, at(61)],
      ],
      ['start wf-step-1-attempt-1', 'wait', 'start wf-step-1-attempt-2', 'finish Failed/WorkflowStepTimedOut'],
    ],
    [
      'a runner stopped from outside (a drained node) failed its attempt, which is retried',
      [{ name: 'build', retries: 1 }],
      [
        [undefined, at(0)],
        [
          done({
            done: true,
            phase: 'Cancelled',
            reason: 'RunnerCancelled',
            message: 'SIGTERM',
            runner: runner('cancelled'),
          }),
          at(1),
        ],
        [failed(), at(2)],
      ],
      ['start wf-step-1-attempt-1', 'start wf-step-1-attempt-2', 'finish Failed/WorkflowStepRetriesExhausted'],
    ],
  ])('%s', (_case, steps, script, want) => {
    expect(kinds(play(workflowRun(steps), script))).toEqual(want);
  });

  it('settles what it decided about earlier attempts before it starts the next one', () => {
    const run = workflowRun([{ name: 'plan' }, { name: 'build', retries: 1, retryBackoffSeconds: 5 }]);
    const [first, next, failedOnce, , retried] = play(run, [
      [undefined, at(0)],
      [succeeded({ artifacts: [{ name: 'plan.md' }] }), at(1)],
      [failed(), at(2)],
      [undefined, at(3)],
      [undefined, at(8)],
    ]);
    if (next!.kind !== 'start' || retried!.kind !== 'start') throw new Error('expected two starts');
    // Step 1 succeeded: recorded (Succeeded, step 2 Pending) before step 2's Job is built.
    expect(next!.settled.map((s) => s.phase)).toEqual(['Succeeded', 'Pending']);
    expect(settledChanged(after(run, first!), next!)).toBe(true);
    // A retry after its backoff settles nothing new: the Retrying step is already in the status.
    expect(failedOnce!.kind).toBe('wait');
    expect(settledChanged(after(after(after(run, first!), next!), failedOnce!), retried!)).toBe(false);
  });

  it('records a retry with its time and the failure that caused it', () => {
    const [, d] = play(workflowRun([{ name: 'build', retries: 2, retryBackoffSeconds: 10 }]), [
      [undefined, at(0)],
      [failed('RunnerFailed', 'exit 3'), at(5)],
    ]);
    expect(d).toMatchObject({ kind: 'wait', requeueAfterMs: 10_000 });
    expect(d!.steps[0]).toMatchObject({
      phase: 'Retrying',
      attempt: 1,
      nextRetryAt: iso(15),
      lastTransitionTime: iso(5),
      message: 'attempt 1 of 3 failed (RunnerFailed): exit 3',
    });
  });

  it('wakes a running attempt at its deadline, and deletes the Job of an attempt that timed out', () => {
    const [, waiting, retried] = play(workflowRun([{ name: 'build', retries: 1, timeoutSeconds: 30 }]), [
      [undefined, at(0)],
      [running, at(10)],
      [running, at(30)],
    ]);
    expect(waiting).toMatchObject({ kind: 'wait', requeueAfterMs: 20_000 });
    expect(waiting!.steps[0]!.jobObservedAt).toBe(iso(10));
    expect(retried).toMatchObject({ kind: 'start', stop: ['wf-step-1-attempt-1'], start: { attempt: 2 } });
  });

  it('collects the artifacts of every step that succeeded, and keeps the last runner status', () => {
    const ds = play(workflowRun([{ name: 'plan' }, { name: 'build' }]), [
      [undefined, at(0)],
      [succeeded({ artifacts: [{ name: 'plan.md', path: '/workspace/plan.md' }] }), at(1)],
      [succeeded({ artifacts: [{ name: 'patch', path: '/workspace/p.diff' }], provider: 'shell' }), at(2)],
    ]);
    expect(ds[1]!.produced).toEqual([{ name: 'plan.md', path: '/workspace/plan.md' }]);
    expect(ds[2]).toMatchObject({
      kind: 'finish',
      produced: [{ name: 'patch', path: '/workspace/p.diff' }],
      outcome: { runner: { provider: 'shell' } },
    });
    expect(ds[2]!.steps.map((s) => [s.name, s.phase, s.finishedAt])).toEqual([
      ['plan', 'Succeeded', iso(1)],
      ['build', 'Succeeded', iso(2)],
    ]);
  });

  it('names the step, its attempts and the cause when the run fails', () => {
    const [, , d] = play(workflowRun([{ name: 'build', retries: 1 }]), [
      [undefined, at(0)],
      [failed('JobFailed', 'BackoffLimitExceeded'), at(1)],
      [failed('JobFailed', 'BackoffLimitExceeded'), at(2)],
    ]);
    expect(d).toMatchObject({
      kind: 'finish',
      outcome: {
        phase: 'Failed',
        reason: 'WorkflowStepRetriesExhausted',
        message: 'workflow step build failed after 2 attempts: JobFailed: BackoffLimitExceeded',
      },
    });
  });
});

describe('planWorkflow with loops', () => {
  const loopStep = (loop: WorkflowStep['loop'], extra: Partial<WorkflowStep> = {}): WorkflowStep[] => [
    { name: 'iterate', loop, ...extra },
    { name: 'report' },
  ];

  it('runs a loop without a condition maxIterations times, one Job per iteration, then the next step', () => {
    const ds = play(workflowRun(loopStep({ maxIterations: 3 })), [
      [undefined, at(0)],
      [succeeded(), at(1)],
      [succeeded(), at(2)],
      [succeeded(), at(3)],
    ]);
    expect(kinds(ds)).toEqual([
      'start wf-step-1-iter-1-attempt-1',
      'start wf-step-1-iter-2-attempt-1',
      'start wf-step-1-iter-3-attempt-1',
      'start wf-step-2-attempt-1',
    ]);
    expect(ds[3]!.steps[0]).toMatchObject({
      phase: 'Succeeded',
      loop: {
        currentIteration: 3,
        completedIterations: 3,
        maxIterations: 3,
        stopReason: 'LoopMaxIterationsReached',
        retainedIterations: 3,
        prunedIterations: 0,
      },
    });
    expect(ds[3]!.steps[0]!.loop!.iterations!.map((it) => [it.index, it.phase, it.jobRef?.name])).toEqual([
      [1, 'Succeeded', 'wf-step-1-iter-1-attempt-1'],
      [2, 'Succeeded', 'wf-step-1-iter-2-attempt-1'],
      [3, 'Succeeded', 'wf-step-1-iter-3-attempt-1'],
    ]);
  });

  it.each<[string, WorkflowStep['loop'], AttemptObservation[], string]>([
    [
      'goes round while the CEL condition over the control holds, and stops when it does not',
      { maxIterations: 10, condition: { type: 'cel', expression: 'iteration.last.control.more == true' } },
      [succeeded({ loopControl: { more: true } }), succeeded({ loopControl: { more: false } })],
      'Succeeded:LoopConditionFalse:2',
    ],
    [
      'sees the completed count and the maximum',
      { maxIterations: 10, condition: { expression: 'iteration.index < 3 && iteration.maxIterations == 10' } },
      [succeeded({ loopControl: {} }), succeeded({ loopControl: {} }), succeeded({ loopControl: {} })],
      'Succeeded:LoopConditionFalse:3',
    ],
    [
      'reads the Job annotation before the runner status, keyed by the source path',
      {
        maxIterations: 5,
        condition: { expression: 'iteration.last.control.more', source: { type: 'file', path: '/w/ctl.json' } },
      },
      [
        succeeded({ loopControl: { more: true } }),
        done(
          { done: true, phase: 'Succeeded', reason: 'Completed', message: 'ok', runner: runner('succeeded') },
          JSON.stringify({ '/w/ctl.json': { more: false } }),
        ),
      ],
      'Succeeded:LoopConditionFalse:2',
    ],
    [
      'compares the numbers of the control JSON with CEL ints',
      { maxIterations: 5, condition: { expression: 'iteration.last.control.score < 2' } },
      [succeeded({ loopControl: { score: 1 } }), succeeded({ loopControl: { score: 2.0 } })],
      'Succeeded:LoopConditionFalse:2',
    ],
    [
      'stops when an iteration wrote no control (onMissing stop, the default)',
      { maxIterations: 5, condition: { expression: 'true' } },
      [succeeded()],
      'Succeeded:LoopConditionFalse:1',
    ],
    [
      'fails the run when an iteration wrote no control and onMissing is fail',
      { maxIterations: 5, condition: { expression: 'true', source: { onMissing: 'fail' } } },
      [succeeded()],
      'Failed:LoopConditionError:1',
    ],
    [
      'fails the run on an unparsable annotation when onInvalid is fail',
      { maxIterations: 5, condition: { expression: 'true', source: { onInvalid: 'fail' } } },
      [
        done(
          { done: true, phase: 'Succeeded', reason: 'Completed', message: 'ok', runner: runner('succeeded') },
          '{not json',
        ),
      ],
      'Failed:LoopConditionError:1',
    ],
    [
      'fails the run when the condition does not give a bool',
      { maxIterations: 5, condition: { expression: 'iteration.last.control.count' } },
      [succeeded({ loopControl: { count: 3 } })],
      'Failed:LoopConditionError:1',
    ],
    [
      'fails the run when the condition reads a key the control lacks',
      { maxIterations: 5, condition: { expression: 'iteration.last.control.absent' } },
      [succeeded({ loopControl: {} })],
      'Failed:LoopConditionError:1',
    ],
  ])('a loop %s', (_case, loop, observations, want) => {
    let run = workflowRun(loopStep(loop));
    let d = planWorkflow(run, undefined, at(0), options);
    for (const [k, o] of observations.entries()) {
      run = after(run, d);
      d = planWorkflow(run, o, at(k + 1), options);
    }
    const step = d.steps[0]!;
    expect(`${step.phase}:${step.loop?.stopReason}:${step.loop?.completedIterations}`).toBe(want);
    if (step.phase === 'Failed')
      expect(d).toMatchObject({ kind: 'finish', outcome: { phase: 'Failed', reason: 'WorkflowLoopConditionError' } });
  });

  it('retries a failed iteration within that iteration', () => {
    const ds = play(workflowRun(loopStep({ maxIterations: 2 }, { retries: 1 })), [
      [undefined, at(0)],
      [failed(), at(1)],
      [succeeded(), at(2)],
    ]);
    expect(kinds(ds)).toEqual([
      'start wf-step-1-iter-1-attempt-1',
      'start wf-step-1-iter-1-attempt-2',
      'start wf-step-1-iter-2-attempt-1',
    ]);
    expect(ds[2]!.steps[0]!.loop!.iterations).toEqual([
      expect.objectContaining({ index: 1, phase: 'Succeeded', attempts: 2 }),
    ]);
  });

  it('keeps at most historyLimit iterations and counts the pruned ones', () => {
    let run = workflowRun(loopStep({ maxIterations: 5 }));
    let d = planWorkflow(run, undefined, at(0), { historyLimit: 2 });
    for (let k = 1; k <= 5; k++) {
      run = after(run, d);
      d = planWorkflow(run, succeeded(), at(k), { historyLimit: 2 });
    }
    expect(d.steps[0]!.loop).toMatchObject({ retainedIterations: 2, prunedIterations: 3 });
    expect(d.steps[0]!.loop!.iterations!.map((it) => it.index)).toEqual([4, 5]);
  });

  it('lastControl keeps the control the condition last saw', () => {
    const ds = play(
      workflowRun(loopStep({ maxIterations: 5, condition: { expression: 'iteration.last.control.more' } })),
      [
        [undefined, at(0)],
        [succeeded({ loopControl: { more: true, note: 'again' } }), at(1)],
      ],
    );
    expect(ds[1]!.steps[0]!.loop!.lastControl).toEqual({ more: true, note: 'again' });
  });
});

describe('currentAttempt', () => {
  it('is the Job of the first step not yet succeeded while it runs, and nothing between attempts', () => {
    const run = workflowRun([{ name: 'plan' }, { name: 'build', retries: 1, retryBackoffSeconds: 60 }]);
    const [first, second, retrying] = play(run, [
      [undefined, at(0)],
      [succeeded(), at(1)],
      [failed(), at(2)],
    ]);
    expect(currentAttempt(after(run, first!))).toEqual({ step: 0, jobName: 'wf-step-1-attempt-1' });
    expect(currentAttempt(after(run, second!))).toEqual({ step: 1, jobName: 'wf-step-2-attempt-1' });
    expect(currentAttempt(after(run, retrying!))).toBeUndefined();
  });
});

describe('a workflow that ends', () => {
  const run = workflowRun([{ name: 'plan' }, { name: 'build' }]);

  it('fails the step whose attempt could not be created, naming no Job', () => {
    const [, d] = play(run, [
      [undefined, at(0)],
      [succeeded(), at(1)],
    ]);
    if (d!.kind !== 'start') throw new Error(d!.kind);
    const ended = failedStart(d!, { phase: 'Failed', reason: 'MissingImplementation', message: 'gone' }, at(1));
    expect(ended.steps[1]).toEqual({
      name: 'build',
      phase: 'Failed',
      attempt: 1,
      startedAt: iso(1),
      message: 'gone',
      finishedAt: iso(1),
      lastTransitionTime: iso(1),
    });
    const status = workflowTerminalStatus(after(run, d!), ended, at(1), { max: 50 });
    expect(status).toMatchObject({ phase: 'Failed', reason: 'MissingImplementation', workflow: { phase: 'Failed' } });
  });

  it('ends its workflow status with the run when it is cancelled from outside', () => {
    const started = after(run, planWorkflow(run, undefined, at(0), options));
    const status = terminalStatus(
      started,
      { done: true, phase: 'Cancelled', reason: 'Cancelled', message: 'cancelled on request' },
      at(5),
      { max: 50 },
    );
    expect(status.workflow).toMatchObject({ phase: 'Cancelled', lastTransitionTime: iso(5) });
    expect(status.workflow!.steps!.map((s) => [s.name, s.phase])).toEqual([
      ['plan', 'Cancelled'],
      ['build', 'Pending'],
    ]);
  });
});
