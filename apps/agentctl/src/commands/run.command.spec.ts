import type { StreamAgentRunLogsResponse } from '@agents/proto/client';
import { CliError, EXIT } from '../cli.errors.js';
import type { RunStatusUpdate } from '../grpc/control-plane.client.js';
import type { KubeObj } from '../resources/kube-object.js';
import { followRunLogs, followRunStatus, MAX_RECONNECTS } from './run-follow.js';
import { outcomeLine, printLogEvent, submitRequest, watchKey } from './run.command.js';
import type { CommandScope } from './runtime.js';

const run = (phase: string, extra: Record<string, unknown> = {}): KubeObj => ({
  kind: 'AgentRun',
  metadata: { name: 'r' },
  status: { phase, ...extra },
});
const update = (phase: string): RunStatusUpdate => ({ run: run(phase), phase });
const unavailable = () => new CliError('cannot reach the control plane', EXIT.unavailable);

/** A scope whose client streams what each `attempts` entry gives: values, then an optional error. */
function scopeWith(attempts: { values: unknown[]; error?: Error }[]) {
  const delays: number[] = [];
  const calls: unknown[][] = [];
  const stream = async function* (...args: unknown[]) {
    calls.push(args);
    const a = attempts.shift() ?? { values: [] };
    for (const v of a.values) yield v;
    if (a.error) throw a.error;
  };
  const scope = {
    client: () => ({ runStatus: stream, runLogs: stream }),
    deps: { delay: async (ms: number) => void delays.push(ms) },
  } as unknown as CommandScope;
  return { scope, delays, calls };
}

describe('run submit request', () => {
  it('maps the flags to SubmitAgentRun fields, leaving the workload out when no workload flag is given', () => {
    expect(submitRequest('ns', { agent: 'a', impl: 'i', runtime: 'job' })).toEqual({
      namespace: 'ns',
      agentName: 'a',
      implementationName: 'i',
      runtimeType: 'job',
      runtimeConfig: [],
      parameters: [],
      idempotencyKey: '',
      workload: undefined,
      memoryRef: '',
      vcsRef: '',
      vcsPolicyMode: '',
      vcsPolicyRequired: false,
      name: '',
    });
    expect(submitRequest('ns', { agent: 'a', impl: 'i', runtime: 'job', cpu: '1' }).workload).toEqual({
      image: '',
      cpu: '1',
      memory: '',
    });
  });
});

describe('outcomeLine', () => {
  it('prints the phase, then the reason and message from the status or the Succeeded condition', () => {
    expect(outcomeLine('r', run('Succeeded'))).toBe('agentrun/r Succeeded');
    expect(outcomeLine('r', run('Failed', { reason: 'Timeout', message: 'too slow' }))).toBe(
      'agentrun/r Failed: Timeout (too slow)',
    );
    expect(
      outcomeLine('r', run('Failed', { conditions: [{ type: 'Succeeded', status: 'False', reason: 'JobMissing' }] })),
    ).toBe('agentrun/r Failed: JobMissing');
    expect(outcomeLine('r', { metadata: { name: 'r' } }, 'Running')).toBe('agentrun/r Running');
  });
});

describe('watchKey', () => {
  const wf = (steps: object[]) => ({ ...run('Running'), status: { phase: 'Running', workflow: { steps } } });

  it('changes with the phase of a job run only', () => {
    expect(watchKey(run('Running', { message: 'a' }), 'Running')).toBe(watchKey(run('Running'), 'Running'));
    expect(watchKey(run('Running'), 'Running')).not.toBe(watchKey(run('Failed'), 'Failed'));
  });

  it("changes with a workflow's current step, its phase and its attempt", () => {
    const keys = [
      wf([
        { name: 'plan', phase: 'Running', attempt: 1 },
        { name: 'build', phase: 'Pending' },
      ]),
      wf([
        { name: 'plan', phase: 'Retrying', attempt: 1 },
        { name: 'build', phase: 'Pending' },
      ]),
      wf([
        { name: 'plan', phase: 'Running', attempt: 2 },
        { name: 'build', phase: 'Pending' },
      ]),
      wf([
        { name: 'plan', phase: 'Succeeded', attempt: 2 },
        { name: 'build', phase: 'Running', attempt: 1 },
      ]),
    ].map((r) => watchKey(r as never, 'Running'));
    expect(new Set(keys).size).toBe(4);
  });
});

describe('printLogEvent', () => {
  const event = (stream: string, message: string): StreamAgentRunLogsResponse => ({
    stream,
    message,
    id: 7,
    timestamp: '2025-01-01T00:00:00Z',
    kind: 'message',
  });
  function capture(e: StreamAgentRunLogsResponse, format: 'table' | 'json' = 'table', timestamps = false) {
    const out: string[] = [];
    const err: string[] = [];
    printLogEvent({ out: (l) => out.push(l), err: (l) => err.push(l) }, format, e, timestamps);
    return { out, err };
  }
  it('sends stdout and stderr to their streams and marks the others', () => {
    expect(capture(event('stdout', 'hi\n'))).toEqual({ out: ['hi'], err: [] });
    expect(capture(event('stderr', 'oops'))).toEqual({ out: [], err: ['oops'] });
    expect(capture(event('status', 'Running'))).toEqual({ out: ['[status] Running'], err: [] });
    expect(capture(event('stdout', 'hi'), 'table', true).out).toEqual(['2025-01-01T00:00:00Z hi']);
    expect(JSON.parse(capture(event('stdout', 'hi'), 'json').out[0]!)).toEqual({
      id: 7,
      timestamp: '2025-01-01T00:00:00Z',
      stream: 'stdout',
      kind: 'message',
      message: 'hi',
    });
  });
});

describe('followRunStatus', () => {
  it('returns the terminal update', async () => {
    const { scope } = scopeWith([{ values: [update('Pending'), update('Running'), update('Succeeded')] }]);
    const seen: string[] = [];
    const done = await followRunStatus(scope, 'ns', 'r', (u) => seen.push(u.phase));
    expect(done.phase).toBe('Succeeded');
    expect(seen).toEqual(['Pending', 'Running', 'Succeeded']);
  });

  it('reconnects with backoff after a stream that broke or ended early', async () => {
    const { scope, delays } = scopeWith([
      { values: [update('Pending')], error: unavailable() },
      { values: [update('Running')] },
      { values: [update('Failed')] },
    ]);
    expect((await followRunStatus(scope, 'ns', 'r', () => undefined)).phase).toBe('Failed');
    expect(delays).toEqual([250, 250]);
  });

  it('fails at once when the first connection fails, or on a non-transient error', async () => {
    await expect(
      followRunStatus(scopeWith([{ values: [], error: unavailable() }]).scope, 'ns', 'r', () => undefined),
    ).rejects.toThrow('cannot reach the control plane');
    const notFound = new CliError('agentrun r not found in namespace ns');
    await expect(
      followRunStatus(scopeWith([{ values: [update('Running')], error: notFound }]).scope, 'ns', 'r', () => undefined),
    ).rejects.toBe(notFound);
    await expect(followRunStatus(scopeWith([{ values: [] }]).scope, 'ns', 'r', () => undefined)).rejects.toThrow(
      'without sending its status',
    );
  });

  it(`gives up after ${MAX_RECONNECTS} reconnects that do not get anywhere`, async () => {
    const attempts = [{ values: [update('Running')], error: unavailable() }];
    for (let i = 0; i < MAX_RECONNECTS + 1; i++) attempts.push({ values: [], error: unavailable() });
    const { scope, delays } = scopeWith(attempts);
    await expect(followRunStatus(scope, 'ns', 'r', () => undefined)).rejects.toThrow('cannot reach');
    expect(delays).toEqual([250, 500, 1000, 2000, 4000]);
  });
});

describe('followRunLogs', () => {
  const ev = (id: number) => ({ id, stream: 'stdout', message: `m${id}`, timestamp: '', kind: '' });

  it('resumes a broken follow stream after the last id', async () => {
    const { scope, calls } = scopeWith([{ values: [ev(1), ev(2)], error: unavailable() }, { values: [ev(3)] }]);
    const seen: number[] = [];
    await followRunLogs(scope, 'ns', 'r', { follow: true, afterId: 0 }, (e) => seen.push(e.id));
    expect(seen).toEqual([1, 2, 3]);
    expect(calls.map((c) => c[3])).toEqual([0, 2]);
  });

  it('does not retry without --follow, or when the first connection fails', async () => {
    await expect(
      followRunLogs(
        scopeWith([{ values: [ev(1)], error: unavailable() }]).scope,
        'ns',
        'r',
        { follow: false, afterId: 0 },
        () => undefined,
      ),
    ).rejects.toThrow('cannot reach');
    await expect(
      followRunLogs(
        scopeWith([{ values: [], error: unavailable() }]).scope,
        'ns',
        'r',
        { follow: true, afterId: 5 },
        () => undefined,
      ),
    ).rejects.toThrow('cannot reach');
  });
});
