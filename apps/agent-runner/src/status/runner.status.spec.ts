import {
  MAX_ERROR_CHARS,
  MAX_STATUS_BYTES,
  exitCodeOf,
  fitStatus,
  parseLoopControl,
  runnerStatus,
  type RunEnd,
  type StatusInput,
} from './runner.status.js';

const startedAt = new Date('2026-01-01T00:00:00.000Z');
const finishedAt = new Date('2026-01-01T00:01:00.000Z');
const status = (end: RunEnd, extra: Partial<StatusInput> = {}) =>
  runnerStatus({ end, startedAt, finishedAt, ...extra });

describe('runnerStatus and exitCodeOf', () => {
  const cases: Record<string, { end: RunEnd; tail?: string[]; want: object; wantExit: number }> = {
    'a provider that exited 0 succeeded': {
      end: { kind: 'exited', exitCode: 0, signal: null },
      want: { status: 'succeeded', exitCode: 0, signal: null },
      wantExit: 0,
    },
    'a provider that exited 3 failed with its last stderr lines': {
      end: { kind: 'exited', exitCode: 3, signal: null },
      tail: ['warning: slow', 'fatal: could not apply the patch'],
      want: {
        status: 'failed',
        exitCode: 3,
        error: 'exited with code 3; stderr: warning: slow\nfatal: could not apply the patch',
      },
      wantExit: 3,
    },
    'a provider killed by a signal failed with 128 + the signal': {
      end: { kind: 'exited', exitCode: null, signal: 'SIGKILL' },
      want: { status: 'failed', exitCode: null, signal: 'SIGKILL', error: 'killed by SIGKILL' },
      wantExit: 137,
    },
    'a timed-out provider failed': {
      end: { kind: 'timed-out', exitCode: null, signal: 'SIGTERM', timeoutSeconds: 5 },
      want: { status: 'failed', error: 'timed out after 5s' },
      wantExit: 143,
    },
    'a timed-out provider that still exited 0 failed with 1': {
      end: { kind: 'timed-out', exitCode: 0, signal: null, timeoutSeconds: 5 },
      want: { status: 'failed', exitCode: 0 },
      wantExit: 1,
    },
    'a provider stopped by SIGTERM was cancelled': {
      end: { kind: 'cancelled', exitCode: null, signal: 'SIGTERM', cancelSignal: 'SIGTERM' },
      want: { status: 'cancelled', error: 'cancelled by SIGTERM' },
      wantExit: 143,
    },
    'a provider that exited 0 on SIGINT was cancelled with 128 + SIGINT': {
      end: { kind: 'cancelled', exitCode: 0, signal: null, cancelSignal: 'SIGINT' },
      want: { status: 'cancelled', error: 'cancelled by SIGINT' },
      wantExit: 130,
    },
    'a runner error failed with 1': {
      end: { kind: 'runner-error', error: 'cannot read the run spec /w/run.json: no such file' },
      want: { status: 'failed', exitCode: null, error: 'cannot read the run spec /w/run.json: no such file' },
      wantExit: 1,
    },
  };

  it.each(Object.entries(cases))('%s', (_case, { end, tail, want, wantExit }) => {
    expect(status(end, { stderrTail: tail })).toMatchObject({
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:01:00.000Z',
      ...want,
    });
    expect(exitCodeOf(end)).toBe(wantExit);
  });

  it('keeps the end of a long stderr and the error within 640 characters', () => {
    const tail = Array.from({ length: 20 }, (_, i) => `line ${i} ${'x'.repeat(60)}`);
    const { error } = status({ kind: 'exited', exitCode: 2, signal: null }, { stderrTail: tail });
    expect(error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
    expect(error).toMatch(/^exited with code 2; stderr: …/);
    expect(error).toMatch(/line 19 x+$/);
  });

  it('lists the artifacts it is given and names the provider', () => {
    expect(
      status(
        { kind: 'exited', exitCode: 0, signal: null },
        {
          provider: 'shell',
          binary: '/bin/sh',
          artifacts: [{ name: 'log', path: '/workspace/.agent/runner.log' }],
        },
      ),
    ).toMatchObject({ provider: 'shell', binary: '/bin/sh', artifacts: [{ name: 'log' }] });
  });
});

describe('fitStatus', () => {
  it('stays under the termination message limit with many artifacts and multi-byte errors', () => {
    const s = status(
      { kind: 'runner-error', error: '€'.repeat(640) },
      {
        binary: '/x/'.repeat(200),
        artifacts: Array.from({ length: 100 }, (_, i) => ({ name: `artifact-${i}`, path: `/workspace/out/${i}.txt` })),
      },
    );
    expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThanOrEqual(MAX_STATUS_BYTES);
    expect(s.artifacts!.length).toBeGreaterThan(0);
    expect(s.error).toMatch(/^€+…?$/);
  });

  it('leaves a small status alone', () => {
    const s = status({ kind: 'exited', exitCode: 0, signal: null });
    expect(fitStatus(s)).toEqual(s);
  });
});

describe('the loop control of a workflow loop iteration', () => {
  const ok = { kind: 'exited', exitCode: 0, signal: null } as const;

  it.each<[string, string | undefined, object]>([
    ['a control object is handed back as it is', '{"more":true,"n":2}', { loopControl: { more: true, n: 2 } }],
    ['no file means no control', undefined, {}],
    ['a file that is not JSON is reported', '{more', { loopControlError: '/w/ctl.json is not JSON' }],
    ['a JSON list is reported', '[1]', { loopControlError: '/w/ctl.json does not hold a JSON object' }],
  ])('%s', (_case, text, want) => {
    const s = status(ok, { loopControl: parseLoopControl(text, '/w/ctl.json') });
    expect(s).toMatchObject(want);
    if (!('loopControl' in want)) expect(s.loopControl).toBeUndefined();
    if (!('loopControlError' in want)) expect(s.loopControlError).toBeUndefined();
  });

  it('keeps the control whole and drops artifacts first when the status is too large', () => {
    const s = status(ok, {
      loopControl: { kind: 'control', control: { more: true, note: 'n'.repeat(1500) } },
      artifacts: Array.from({ length: 100 }, (_, i) => ({ name: `artifact-${i}`, path: `/workspace/out/${i}.txt` })),
    });
    expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThanOrEqual(MAX_STATUS_BYTES);
    expect(s.loopControl).toEqual({ more: true, note: 'n'.repeat(1500) });
  });

  it('reports a control too large to carry instead of cutting it', () => {
    const s = status(ok, { loopControl: { kind: 'control', control: { note: 'n'.repeat(5000) } } });
    expect(Buffer.byteLength(JSON.stringify(s))).toBeLessThanOrEqual(MAX_STATUS_BYTES);
    expect(s.loopControl).toBeUndefined();
    expect(s.loopControlError).toMatch(/too large/);
  });
});
