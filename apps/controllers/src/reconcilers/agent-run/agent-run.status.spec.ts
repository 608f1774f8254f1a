import { makeRun } from '../../../test/builders.js';
import {
  blockedStatus,
  canonicalJson,
  jobOutcome,
  mergeArtifacts,
  needsFailureLogs,
  specHash,
  startedStatus,
  terminalStatus,
  type ObservedJob,
} from './agent-run.status.js';

const now = new Date('2026-01-01T00:00:00Z');
const job = (conditions: ObservedJob['conditions'], terminationMessages: string[] = []): ObservedJob => ({
  name: 'r-job',
  conditions,
  succeeded: 0,
  failed: 0,
  terminationMessages,
});
const runner = (status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ status, exitCode: status === 'succeeded' ? 0 : 1, startedAt: 'a', finishedAt: 'b', ...extra });

describe('jobOutcome', () => {
  it.each([
    ['a running Job', job([]), { done: false }],
    [
      'a complete Job without runner status',
      job([{ type: 'Complete', status: 'True' }]),
      { phase: 'Succeeded', reason: 'Completed' },
    ],
    [
      'a complete Job whose runner succeeded',
      job([{ type: 'Complete', status: 'True' }], [runner('succeeded')]),
      { phase: 'Succeeded', reason: 'Completed' },
    ],
    [
      'a failed Job whose runner failed',
      job([{ type: 'Failed', status: 'True' }], [runner('failed', { error: 'exit 3' })]),
      { phase: 'Failed', reason: 'RunnerFailed', message: 'exit 3' },
    ],
    [
      'a failed Job whose runner was cancelled',
      job([{ type: 'Failed', status: 'True' }], [runner('cancelled')]),
      { phase: 'Cancelled', reason: 'RunnerCancelled' },
    ],
    [
      'a failed Job without runner status',
      job([
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
        },
      ]),
      { phase: 'Failed', reason: 'JobFailed' },
    ],
    [
      'a Job past its deadline',
      job([{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }]),
      { phase: 'Failed', reason: 'DeadlineExceeded' },
    ],
    [
      'a garbled termination message',
      job([{ type: 'Complete', status: 'True' }], ['not json']),
      { phase: 'Succeeded', reason: 'Completed' },
    ],
  ])('reads %s', (_c, observed, want) => {
    expect(jobOutcome(observed)).toMatchObject(want);
  });

  const failedJob = (logs?: string[]): ObservedJob => ({
    ...job([{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }]),
    logs,
  });
  it.each([
    [
      'a log that says the credentials expired',
      ['starting', 'error: token_expired: sign in again', 'exit 1'],
      {
        reason: 'ProviderAuthUnavailable',
        message: 'Job r-job failed; its log says: error: token_expired: sign in again',
      },
    ],
    [
      'a log that says the quota is used up',
      ['429 insufficient_quota: You exceeded your current quota'],
      { reason: 'ProviderCapacityExhausted' },
    ],
    [
      'one container out of quota and another refused its token (auth wins)',
      ['Rate limit reached for requests', 'refresh_token is invalid'],
      { reason: 'ProviderAuthUnavailable' },
    ],
    ['a log that says nothing about the provider', ['panic: index out of range'], { reason: 'JobFailed' }],
    ['logs that could not be read', ['', ''], { reason: 'JobFailed' }],
  ])('a failed Job without runner status, %s', (_, logs, want) => {
    expect(jobOutcome(failedJob(logs))).toMatchObject({ phase: 'Failed', ...want });
  });

  it('asks for the logs only of a failed Job without runner status, and only once', () => {
    const ask = (j: ObservedJob) => needsFailureLogs(j, jobOutcome(j));
    expect(ask(failedJob())).toBe(true);
    expect(ask(failedJob(['read already']))).toBe(false);
    expect(ask(job([{ type: 'Failed', status: 'True' }], [runner('failed')]))).toBe(false);
    expect(ask(job([{ type: 'Complete', status: 'True' }]))).toBe(false);
    expect(ask(job([]))).toBe(false);
  });

  it('prefers a succeeded runner over failed and cancelled ones across pods', () => {
    expect(
      jobOutcome(job([{ type: 'Complete', status: 'True' }], [runner('failed'), runner('succeeded')])),
    ).toMatchObject({ phase: 'Succeeded' });
  });
});

describe('terminalStatus', () => {
  it('records a failure under Failed and Succeeded=False with its reason, and stores the runner status', () => {
    const run = makeRun().status({ phase: 'Running', startedAt: '2025-12-31T23:59:00Z' }).build();
    const s = terminalStatus(
      run,
      {
        done: true,
        phase: 'Failed',
        reason: 'RunnerFailed',
        message: 'exit 3',
        runner: JSON.parse(runner('failed', { error: 'x'.repeat(2000) })),
      },
      now,
      { max: 50 },
    );
    expect(s).toMatchObject({
      phase: 'Failed',
      reason: 'RunnerFailed',
      finishedAt: '2026-01-01T00:00:00Z',
      startedAt: '2025-12-31T23:59:00Z',
    });
    expect(s.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
      status: 'False',
      reason: 'RunnerFailed',
    });
    expect(s.conditions?.find((c) => c.type === 'Failed')).toMatchObject({ status: 'True' });
    expect((s.runner as { error: string }).error).toHaveLength(640);
  });
});

describe('terminalStatus with artifact limits', () => {
  const produced = [
    { name: 'a', path: '/workspace/a' },
    { name: 'b', url: `data:text/plain,${'x'.repeat(10)}` },
    { name: 'c', path: '/workspace/c' },
  ];
  const succeeded = (limits: { max: number; strict?: boolean }) =>
    terminalStatus(
      makeRun().status({ phase: 'Running' }).build(),
      {
        done: true,
        phase: 'Succeeded',
        reason: 'Completed',
        message: 'Job r-job completed',
        runner: { status: 'succeeded', exitCode: 0, artifacts: produced } as never,
      },
      now,
      limits,
    );

  it('trims and cleans the artifacts of a run that succeeded, and says why', () => {
    const s = succeeded({ max: 2 });
    expect(s).toMatchObject({ phase: 'Succeeded', reason: 'Completed' });
    expect(s.artifacts).toEqual([{ name: 'a', path: '/workspace/a' }, { name: 'b' }]);
    expect(s.conditions?.find((c) => c.type === 'ArtifactsLimited')).toMatchObject({
      status: 'True',
      reason: 'ArtifactsTrimmed',
      message: '3 artifacts, more than the limit of 2; 1 with a data: URL or a URL over 2048 characters',
    });
    expect(s.conditions?.find((c) => c.type === 'ArtifactsLimitExceeded')).toBeUndefined();
  });

  it('fails the run in strict mode (JANGAR_AGENTRUN_ARTIFACTS_STRICT), naming what broke the limits', () => {
    const s = succeeded({ max: 2, strict: true });
    expect(s).toMatchObject({ phase: 'Failed', reason: 'ArtifactsLimitExceeded' });
    expect(s.message).toMatch(
      /^the run's artifacts break the limits \(3 artifacts, more than the limit of 2; .*\); Job r-job completed$/,
    );
    expect(s.conditions?.find((c) => c.type === 'ArtifactsLimitExceeded')).toMatchObject({ status: 'True' });
    expect(s.conditions?.find((c) => c.type === 'Succeeded')).toMatchObject({
      status: 'False',
      reason: 'ArtifactsLimitExceeded',
    });
  });

  it('leaves a run within the limits alone in strict mode', () => {
    const s = succeeded({ max: 50, strict: false });
    expect(s.phase).toBe('Succeeded');
    const clean = terminalStatus(
      makeRun().status({ phase: 'Running' }).build(),
      { done: true, phase: 'Succeeded', reason: 'Completed', message: 'ok' },
      now,
      { max: 50, strict: true },
    );
    expect(clean).toMatchObject({ phase: 'Succeeded', reason: 'Completed' });
    expect(clean.conditions?.find((c) => c.type === 'ArtifactsLimited')).toMatchObject({ status: 'False' });
  });
});

describe('blockedStatus', () => {
  it('keeps the run Pending and not progressing', () => {
    const s = blockedStatus(makeRun().build(), 'ConcurrencyLimit', 'full', now);
    expect(s.phase).toBe('Pending');
    expect(s.conditions?.find((c) => c.type === 'Blocked')).toMatchObject({
      status: 'True',
      reason: 'ConcurrencyLimit',
    });
    expect(s.conditions?.find((c) => c.type === 'Progressing')?.status).toBe('False');
  });
});

describe('startedStatus', () => {
  it('moves a submitted run from Pending to Running when its pod starts, keeping what submission recorded', () => {
    const submitted = makeRun()
      .status({
        phase: 'Pending',
        reason: 'Submitted',
        startedAt: '2025-12-31T23:59:00Z',
        runtimeRef: { type: 'job', name: 'r-job', namespace: 'agents' },
        specHash: 'abc',
      })
      .build();
    const status = startedStatus(submitted, 'r-job', now);
    expect(status).toMatchObject({
      phase: 'Running',
      reason: 'Running',
      message: 'Job r-job is running',
      startedAt: '2025-12-31T23:59:00Z',
      runtimeRef: { name: 'r-job' },
      specHash: 'abc',
    });
    expect(status.conditions?.find((c) => c.type === 'InProgress')).toMatchObject({
      status: 'True',
      reason: 'Running',
    });
    expect(status.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'Running',
    });
  });
});

describe('specHash', () => {
  it('ignores parameters and secret order but not the implementation', () => {
    const a = makeRun()
      .spec({ secrets: ['a', 'b'], parameters: { x: '1' } })
      .build();
    const b = makeRun()
      .spec({ secrets: ['b', 'a'], parameters: { x: '2' } })
      .build();
    const c = makeRun()
      .spec({ implementationSpecRef: { name: 'other' } })
      .build();
    expect(specHash(a)).toBe(specHash(b));
    expect(specHash(a)).not.toBe(specHash(c));
  });

  it('serialises keys in sorted order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('mergeArtifacts', () => {
  it('drops nameless entries and data URLs, keeps the first N, and says so', () => {
    const out = mergeArtifacts(
      [{ name: 'log', path: '/l' }],
      [{ name: 'patch', url: 'data:abc' }, { name: '' }, { name: 'log', path: '/l2' }],
      50,
    );
    expect(out).toEqual({
      artifacts: [{ name: 'log', path: '/l2' }, { name: 'patch' }],
      limited: true,
      problems: ['1 without a name', '1 with a data: URL or a URL over 2048 characters'],
    });
    expect(mergeArtifacts([{ name: 'a' }, { name: 'b' }], [], 1)).toEqual({
      artifacts: [{ name: 'a' }],
      limited: true,
      problems: ['2 artifacts, more than the limit of 1'],
    });
  });
});
