import { type KubeApi } from '@agents/kube';
import { TestNamespace, eventually, testKubeConfig } from '@agents/testing';
import { AckPolicy, connect, DeliverPolicy } from 'nats';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  adminApi,
  create,
  createRunnableSet,
  freePort,
  runManifest,
  startControllers,
  waitForPhase,
  type ControllersProcess,
} from './harness.js';

// With NATS down, reconciliation goes on; the phase events wait in the bounded buffer and arrive once NATS is back,
// each exactly once (Nats-Msg-Id dedupe). A private nats-server so the shared one is never disturbed.
const RUNS = 5;
let api: KubeApi;
let ns: TestNamespace;
let controllers: ControllersProcess;
let nats: ChildProcess | undefined;
let port: number;
const store = mkdtempSync(path.join(tmpdir(), 'agents-nats-'));

function startNats(): Promise<void> {
  nats = spawn('/usr/sbin/nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', store], {
    stdio: 'ignore',
  });
  return eventually(async () => (await connect({ servers: `nats://127.0.0.1:${port}`, timeout: 500 })).close(), {
    what: 'nats-server to listen',
  });
}

async function stopNats(): Promise<void> {
  if (!nats || nats.exitCode !== null) return;
  const exited = new Promise((r) => nats!.once('exit', r));
  nats.kill('SIGTERM');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startNats();
  api = await adminApi();
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-nats');
  await createRunnableSet(api, ns.name);
  controllers = await startControllers({
    namespaces: [ns.name],
    env: { NATS_URL: `nats://127.0.0.1:${port}`, JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT: '0' },
  });
}, 60_000);

afterAll(async () => {
  await controllers?.kill();
  await stopNats();
  await ns?.delete();
  api?.close();
});

it('delivers every phase event once after a NATS outage', async () => {
  // Pods that run 3 s, so each run is seen Running: 3 phase events per run (Pending, Running, Succeeded).
  await create(api, runManifest(ns.name, 'warmup', { runFor: '3s' }));
  await waitForPhase(api, ns.name, 'warmup', 'Succeeded');

  await stopNats();
  const names = Array.from({ length: RUNS }, (_, i) => `during-${i}`);
  for (const n of names) await create(api, runManifest(ns.name, n, { runFor: '3s' }));
  for (const n of names) await waitForPhase(api, ns.name, n, 'Succeeded');
  const buffered = (await controllers.get('/metrics')).body.match(/agents_nats_publish_buffer (\d+)/)?.[1];
  expect(Number(buffered)).toBeGreaterThanOrEqual(RUNS * 3);

  await startNats();
  const nc = await connect({ servers: `nats://127.0.0.1:${port}` });
  try {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add('agent-comms', {
      durable_name: 'check',
      ack_policy: AckPolicy.None,
      deliver_policy: DeliverPolicy.All,
    });
    const consumer = await nc.jetstream().consumers.get('agent-comms', 'check');
    await eventually(async () => expect((await consumer.info()).num_pending).toBe((RUNS + 1) * 3), {
      timeoutMs: 30_000,
      what: 'all events in the stream',
    });
    const seen: string[] = [];
    const batch = await consumer.fetch({ max_messages: 100, expires: 2000 });
    for await (const m of batch) {
      const e = m.json<{ agent_run_name: string; attrs: { phase: string } }>();
      seen.push(`${e.agent_run_name}:${e.attrs.phase}`);
    }
    expect(seen.sort()).toEqual(
      ['warmup', ...names].flatMap((n) => [`${n}:Pending`, `${n}:Running`, `${n}:Succeeded`]).sort(),
    );
  } finally {
    await nc.close();
  }
}, 90_000);
