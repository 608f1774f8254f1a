import type { AgentRun } from '@agents/api';
import { CUSTOM, type KubeApi } from '@agents/kube';
import {
  PrivateNats,
  TestNamespace,
  createTestDatabase,
  eventually,
  testKubeConfig,
  type ServiceProcess,
  type TestDatabase,
} from '@agents/testing';
import path from 'node:path';
import {
  message,
  Publisher,
  SseReader,
  startControlPlane,
  subjectOf,
  type ControlPlaneProcess,
  type RunRef,
} from './harness.js';
import { adminApi, EXAMPLES_DIR, runAgentctl, startAgentctl, startControllers } from './int-support.js';

// The user's path end to end: the built agentctl against a real control plane and the real controllers (kwok plays
// the pods), all scoped to one test namespace, with a private NATS shared by the controllers (status events), the
// control plane (ingest) and the test (runner-style output events).
let db: TestDatabase;
let nats: PrivateNats;
let ns: TestNamespace;
let api: KubeApi;
let controllers: ServiceProcess;
let cp: ControlPlaneProcess;
let publisher: Publisher;

const cli = (args: string[], timeoutMs = 60_000) =>
  runAgentctl(args, { server: `127.0.0.1:${cp.grpcPort}`, namespace: ns.name, timeoutMs });
const cliStart = (args: string[]) =>
  startAgentctl(args, { server: `127.0.0.1:${cp.grpcPort}`, namespace: ns.name, timeoutMs: 90_000 });

/** `--runtime-config podAnnotations=…`: how kwok is told how long the run's pod runs and how it exits. */
const simulate = (annotations: Record<string, string>) => [
  '--runtime-config',
  `podAnnotations=${JSON.stringify(annotations)}`,
];
const submitArgs = (name: string, ...extra: string[]) => [
  'run',
  'submit',
  '--agent',
  'demo-agent',
  '--impl',
  'demo-task',
  '--runtime',
  'job',
  '--name',
  name,
  ...extra,
];

const getRun = (name: string) => api.get<AgentRun>(CUSTOM.AgentRun!, ns.name, name);

async function waitForPhase(name: string, phase: string): Promise<AgentRun> {
  return eventually(
    async () => {
      const run = await getRun(name);
      expect(run?.status?.phase).toBe(phase);
      return run!;
    },
    { timeoutMs: 45_000, what: `AgentRun ${name} to be ${phase}` },
  );
}

const lines = (text: string) => text.split('\n').filter(Boolean);

beforeAll(async () => {
  db = await createTestDatabase('cp_agentctl');
  nats = await PrivateNats.start();
  ns = await TestNamespace.create(testKubeConfig(), 'cp-agentctl');
  api = await adminApi();
  [controllers, cp] = await Promise.all([
    startControllers([ns.name], { NATS_URL: nats.url }),
    startControlPlane({ databaseUrl: db.url, natsUrl: nats.url, namespaces: [ns.name] }),
  ]);
  publisher = await Publisher.connect(nats.url);
}, 120_000);

afterAll(async () => {
  await publisher?.close().catch(() => undefined);
  await cp?.kill();
  await controllers?.kill();
  await nats?.stop();
  await ns?.delete();
  api?.close();
  await db?.drop();
});

it('applies the provider, the agent and the implementation spec of the chart examples', async () => {
  const files = ['agentprovider.yaml', 'agent.yaml', 'implementationspec.yaml'];
  const r = await cli(['apply', ...files.flatMap((f) => ['-f', path.join(EXAMPLES_DIR, f)])]);
  expect(r).toMatchObject({ code: 0, stderr: '' });
  expect(lines(r.stdout)).toEqual([
    'agentprovider/shell applied',
    'agent/demo-agent applied',
    'implementationspec/demo-task applied',
  ]);
  const agent = await cli(['get', 'agent', 'demo-agent', '-o', 'json']);
  expect(agent.code).toBe(0);
  expect(JSON.parse(agent.stdout)).toMatchObject({
    metadata: { name: 'demo-agent', namespace: ns.name },
    spec: { providerRef: { name: 'shell' } },
  });
});

it('reports the controllers healthy once they hold their leader lease', async () => {
  await eventually(
    async () => {
      const r = await cli(['status', '-o', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        controllers: [{ status: 'healthy', crdsReady: true }],
        database: { connected: true },
        namespaces: [{ namespace: ns.name, status: 'healthy' }],
      });
    },
    { timeoutMs: 30_000, what: 'agentctl status to report healthy controllers' },
  );
});

it('submits a run, watches its phases to Succeeded, and follows its events as they are published (also on SSE)', async () => {
  const submitted = await cli(submitArgs('happy', ...simulate({ 'sim.agents.dev/run-for': '6s' })));
  expect(submitted).toMatchObject({ code: 0, stdout: 'agentrun/happy submitted\n' });
  const watch = cliStart(['run', 'watch', 'happy']);
  const follow = cliStart(['run', 'logs', 'happy', '--follow']);

  const run = await waitForPhase('happy', 'Running');
  const ref: RunRef = { namespace: ns.name, name: 'happy', uid: run.metadata.uid! };
  const sse = new SseReader(`${cp.url}/v1/agent-events?agentRunUid=${ref.uid}`);
  try {
    for (let i = 1; i <= 3; i++)
      await publisher.publish(subjectOf(ref), message(ref, i, { content: `step ${i} done` }));
    await publisher.publish(subjectOf(ref), message(ref, 4, { content: 'a warning', attrs: { stream: 'stderr' } }));
    await eventually(() => expect(follow.stdout()).toContain('step 3 done'), { what: 'agentctl to print step 3' });

    const watched = await watch.exited;
    expect(watched).toMatchObject({ code: 0, stderr: '' });
    const phases = lines(watched.stdout).map((l) => /^agentrun\/happy (\w+)/.exec(l)?.[1]);
    expect(phases.at(-1)).toBe('Succeeded');
    expect(phases).toContain('Running');
    expect(phases.indexOf('Running')).toBeLessThan(phases.indexOf('Succeeded'));
    expect(new Set(phases).size).toBe(phases.length);

    // The follow ends by itself once the run finished (and its trailing events settled).
    const followed = await follow.exited;
    expect(followed.code).toBe(0);
    const out = lines(followed.stdout);
    expect(out.filter((l) => l.startsWith('step '))).toEqual(['step 1 done', 'step 2 done', 'step 3 done']);
    expect(lines(followed.stderr)).toEqual(['a warning']);
    // The controllers' phase changes come through the same pipeline, marked [status].
    expect(out.filter((l) => l.startsWith('[status]'))).toEqual([
      '[status] AgentRun happy is Pending (Submitted)',
      '[status] AgentRun happy is Running (Running)',
      '[status] AgentRun happy is Succeeded (Completed)',
    ]);

    // The same events, in the same order, on the SSE endpoint.
    const output: string[] = [];
    while (output.length < 4) {
      const [e] = await sse.next(1, 30_000);
      const event = JSON.parse(e!.data) as { kind: string; content: string };
      if (event.kind === 'output') output.push(event.content);
    }
    expect(output).toEqual(['step 1 done', 'step 2 done', 'step 3 done', 'a warning']);
  } finally {
    sse.close();
  }
});

it('answers a resubmission with the same idempotency key with the run it made', async () => {
  const args = submitArgs('keyed', '--idempotency-key', 'ticket-7');
  expect(await cli(args)).toMatchObject({ code: 0, stdout: 'agentrun/keyed submitted\n' });
  expect(await cli(args)).toMatchObject({
    code: 0,
    stdout: 'agentrun/keyed unchanged (idempotency key ticket-7 was used before)\n',
  });
});

it('a run whose pod fails ends Failed, and run wait exits non-zero saying so', async () => {
  expect(await cli(submitArgs('sad', ...simulate({ 'sim.agents.dev/exit-code': '3' })))).toMatchObject({ code: 0 });
  const waited = await cli(['run', 'wait', 'sad']);
  expect(waited.code).not.toBe(0);
  expect(waited.stdout).toMatch(/^agentrun\/sad Failed/);
  expect((await getRun('sad'))?.status?.phase).toBe('Failed');
});

it('run cancel of a running run ends it Cancelled', async () => {
  expect(await cli(submitArgs('long', ...simulate({ 'sim.agents.dev/run-for': '120s' })))).toMatchObject({ code: 0 });
  await waitForPhase('long', 'Running');
  const cancelled = await cli(['run', 'cancel', 'long']);
  expect(cancelled).toMatchObject({ code: 0 });
  expect(cancelled.stdout).toMatch(/^agentrun\/long cancelled/);
  const waited = await cli(['run', 'wait', 'long']);
  expect(waited.code).not.toBe(0);
  expect(waited.stdout).toMatch(/^agentrun\/long Cancelled/);
  expect((await getRun('long'))?.status?.phase).toBe('Cancelled');
  // A finished run cannot be cancelled again.
  const again = await cli(['run', 'cancel', 'long']);
  expect(again.code).not.toBe(0);
  expect(again.stderr).toContain('already finished (Cancelled)');
});
