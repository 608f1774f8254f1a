import { connectTestNats, eventually, freePort, natsServerUrl, uniqueName } from '@agents/testing';
import { connect, type NatsConnection } from 'nats';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeRunSpec, makeRunnerSpec } from './builders.js';
import { PROVIDER, runRunner, startRunner, tempDir } from './harness.js';
import { readRunEvents, type StoredEvent } from './nats.js';

// Events of a real runner process in real JetStream: every line and lifecycle step, in order, exactly once — also
// when NATS is not there yet when the provider starts.

/** A run of its own (unique name and uid), so its subjects hold only this test's events. */
function uniqueRun(args: string[]) {
  const name = uniqueName('run');
  const uid = uniqueName('uid');
  const subjectPrefix = `workflow.agents.${name}.${uid}.agent.coder.`;
  return {
    subjectPrefix,
    run: makeRunSpec({ agentRun: { name, uid, namespace: 'agents' } }),
    runner: makeRunnerSpec({
      events: { subjectPrefix, agentId: 'coder' },
      provider: { name: 'fixture', binary: PROVIDER, argsTemplate: args },
    }),
  };
}

function expectOrderedAndComplete(events: StoredEvent[], outputLines: string[], runnerId: string, uid: string) {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(new Set(events.map((e) => e.message_id)).size).toBe(events.length);
  expect(events[0]).toMatchObject({ kind: 'status', role: 'system', attrs: { phase: 'started' } });
  expect(events.at(-1)).toMatchObject({
    kind: 'status',
    role: 'system',
    attrs: { phase: 'exited', status: 'succeeded', exit_code: 0 },
  });
  const output = events.filter((e) => e.kind === 'output');
  expect(output.map((e) => e.content)).toEqual(outputLines);
  for (const e of events) {
    expect(e.message_id).toBe(`${uid}:${runnerId}:${e.seq}`);
    expect(e.subject).toMatch(new RegExp(`\\.${e.kind}$`));
  }
  expect(output.every((e) => e.role === 'assistant' && e.attrs?.stream === 'stdout')).toBe(true);
}

/** A connection to the shared JetStream, to read back what the runner processes published. */
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connectTestNats('agent-runner-it');
});
afterAll(async () => {
  await nc?.close();
});

describe('events in the shared JetStream', () => {
  it('publishes every line and the lifecycle in order, with message ids of this pod', async () => {
    const { subjectPrefix, run, runner } = uniqueRun(['count', '200']);
    const r = await runRunner({
      run,
      runner,
      env: { NATS_URL: natsServerUrl(), HOSTNAME: 'job-pod-x7k2p', KUBERNETES_SERVICE_HOST: '10.96.0.1' },
    });
    expect(r.code).toBe(0);
    const lines = Array.from({ length: 200 }, (_, i) => `line ${i + 1}`);
    const events = await readRunEvents(nc, subjectPrefix, 202);
    expect(events).toHaveLength(202);
    expectOrderedAndComplete(events, lines, 'job-pod-x7k2p', run.agentRun.uid);
  });

  it('keeps the events of two pods of the same run apart', async () => {
    const { subjectPrefix, run, runner } = uniqueRun(['count', '3']);
    for (const pod of ['job-pod-a', 'job-pod-b'])
      expect((await runRunner({ run, runner, env: { NATS_URL: natsServerUrl(), AGENT_RUNNER_ID: pod } })).code).toBe(0);
    const events = await readRunEvents(nc, subjectPrefix, 10);
    expect(events).toHaveLength(10);
    expect(new Set(events.map((e) => e.message_id)).size).toBe(10);
  });
});

describe('the last event of a run that does not succeed', () => {
  /** The run's events once its terminal lifecycle event (`phase`) is in JetStream: in order, one message id each. */
  async function lastEvents(subjectPrefix: string, uid: string, phase: string) {
    const events = await eventually(async () => {
      const got = await readRunEvents(nc, subjectPrefix, 2);
      expect(got.at(-1)?.attrs?.phase).toBe(phase);
      return got;
    });
    expect(events[0]?.attrs?.phase).toBe('started');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e) => e.message_id === `${uid}:pod-1:${e.seq}`)).toBe(true);
    return events;
  }

  it('is published for a provider that fails, with its exit code', async () => {
    const { subjectPrefix, run, runner } = uniqueRun(['fail']);
    const r = await runRunner({ run, runner, env: { NATS_URL: natsServerUrl(), AGENT_RUNNER_ID: 'pod-1' } });
    expect(r.code).toBe(3);
    const events = await lastEvents(subjectPrefix, run.agentRun.uid, 'exited');
    expect(events.at(-1)).toMatchObject({ kind: 'status', attrs: { phase: 'exited', status: 'failed', exit_code: 3 } });
  });

  it('is published for a provider that times out', async () => {
    const { subjectPrefix, run, runner } = uniqueRun(['sleep', '30']);
    runner.timeoutSeconds = 1;
    const r = await runRunner({ run, runner, env: { NATS_URL: natsServerUrl(), AGENT_RUNNER_ID: 'pod-1' } });
    expect(r.code).toBe(143);
    const events = await lastEvents(subjectPrefix, run.agentRun.uid, 'timed-out');
    expect(events.at(-1)).toMatchObject({
      kind: 'status',
      attrs: { phase: 'timed-out', status: 'failed', error: 'timed out after 1s' },
    });
  });

  it('is published before the runner exits on SIGTERM, as cancelled', async () => {
    const { subjectPrefix, run, runner } = uniqueRun(['sleep', '30']);
    const p = startRunner({ run, runner, env: { NATS_URL: natsServerUrl(), AGENT_RUNNER_ID: 'pod-1' } });
    await p.waitForLog('sleeping 30');
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(143);
    const events = await lastEvents(subjectPrefix, run.agentRun.uid, 'cancelled');
    expect(events.at(-1)).toMatchObject({ kind: 'status', attrs: { phase: 'cancelled', status: 'cancelled' } });
  });
});

describe('a NATS outage', () => {
  let port: number;
  let server: ChildProcess | undefined;
  const store = tempDir();

  async function startNats(): Promise<void> {
    server = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
      stdio: 'ignore',
    });
    await eventually(async () => (await connect({ servers: `nats://127.0.0.1:${port}`, timeout: 500 })).close(), {
      what: 'nats-server to listen',
    });
  }

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('never blocks the provider and delivers everything once NATS is up', async () => {
    const { subjectPrefix, run, runner } = uniqueRun([]);
    const gate = path.join(tempDir(), 'nats-is-up');
    runner.adapter.exec!.argsTemplate = ['gate', gate, '50'];
    const p = startRunner({ run, runner, env: { NATS_URL: `nats://127.0.0.1:${port}`, AGENT_RUNNER_ID: 'pod-1' } });
    // NATS is down: the provider still writes everything before the gate.
    await p.waitForLog('before 50');
    await eventually(() => expect(p.output()).toMatch(/publishing to NATS failed \(\d+ events waiting, retrying\)/));
    await startNats();
    writeFileSync(gate, '');
    const { code } = await p.exited;
    expect(code).toBe(0);

    const own = await connect({ servers: `nats://127.0.0.1:${port}` });
    try {
      const lines = ['before', 'after'].flatMap((word) => Array.from({ length: 50 }, (_, i) => `${word} ${i + 1}`));
      const events = await readRunEvents(own, subjectPrefix, 102);
      expect(events).toHaveLength(102);
      expectOrderedAndComplete(events, lines, 'pod-1', run.agentRun.uid);
    } finally {
      await own.close();
    }
  });

  it('gives up after the flush timeout when NATS never comes, keeping the provider exit code', async () => {
    const { run, runner } = uniqueRun(['count', '5']);
    const deadPort = await freePort();
    const started = Date.now();
    const r = await runRunner({
      run,
      runner,
      env: { NATS_URL: `nats://127.0.0.1:${deadPort}`, AGENT_RUNNER_EVENTS_FLUSH_SECONDS: '1' },
    });
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.output()).toMatch(/gave up delivering 7 events to NATS after 1s; they are in .*runner\.log/);
    expect(r.status()).toMatchObject({ status: 'succeeded' });
  });
});
