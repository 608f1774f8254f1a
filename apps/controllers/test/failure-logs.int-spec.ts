import { CUSTOM, type KubeApi, type ResourceType } from '@agents/kube';
import { TestNamespace, eventually, testKubeConfig } from '@agents/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adminApi,
  condition,
  create,
  createRunnableSet,
  runManifest,
  startControllers,
  waitForPhase,
  type ControllersProcess,
} from './harness.js';

// A failed Job whose pod left no runner status: the controller reads the last lines of its containers' logs through
// the API server (pods/log → kwok's kubelet endpoint, which serves the file a ClusterLogs object names) and tells a
// provider that refused its credentials or ran out of capacity from any other failure.
const CLUSTER_LOGS: ResourceType = {
  group: 'kwok.x-k8s.io',
  version: 'v1alpha1',
  kind: 'ClusterLogs',
  plural: 'clusterlogs',
  namespaced: false,
};

let api: KubeApi;
let auth: TestNamespace;
let capacity: TestNamespace;
let controllers: ControllersProcess;
let dir: string;

/** A CRI log file (what a kubelet serves) holding `lines`, and a ClusterLogs that serves it for `ns`'s pods. */
async function serveLogs(ns: string, lines: string[]): Promise<void> {
  const file = join(dir, `${ns}.log`);
  writeFileSync(file, lines.map((l, i) => `2026-01-01T00:00:0${i}.000000000Z stderr F ${l}\n`).join(''));
  await api.create(CLUSTER_LOGS, {
    metadata: { name: ns },
    spec: { selector: { matchNamespaces: [ns] }, logs: [{ containers: ['agent-runner'], logsFile: file }] },
  });
}

beforeAll(async () => {
  api = await adminApi();
  dir = mkdtempSync(join(tmpdir(), 'agents-pod-logs-'));
  auth = await TestNamespace.create(testKubeConfig(), 'ctl-log-auth');
  capacity = await TestNamespace.create(testKubeConfig(), 'ctl-log-quota');
  for (const ns of [auth.name, capacity.name]) await createRunnableSet(api, ns);
  await serveLogs(auth.name, ['starting the provider', 'error: refresh_token was revoked (invalid_grant)', 'exit 1']);
  await serveLogs(capacity.name, ['429 Too Many Requests: insufficient_quota', 'giving up']);
  controllers = await startControllers({ namespaces: [auth.name, capacity.name] });
}, 60_000);

afterAll(async () => {
  await controllers?.kill();
  for (const ns of [auth, capacity]) {
    if (!ns) continue;
    await api?.delete(CLUSTER_LOGS, undefined, ns.name).catch(() => undefined);
    await ns.delete();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  api?.close();
});

it('fails a run whose pod log shows refused credentials ProviderAuthUnavailable, and marks its provider unreachable', async () => {
  await create(api, runManifest(auth.name, 'expired', { exitCode: 1 }));
  const run = await waitForPhase(api, auth.name, 'expired', 'Failed');
  expect(run.status).toMatchObject({ reason: 'ProviderAuthUnavailable' });
  expect(run.status?.message).toContain('invalid_grant');
  expect(condition(run, 'Succeeded')).toMatchObject({ status: 'False', reason: 'ProviderAuthUnavailable' });
  await eventually(
    async () => {
      const provider = await api.get<{ status?: { conditions?: { type: string; status: string; reason: string }[] } }>(
        CUSTOM.AgentProvider!,
        auth.name,
        'shell',
      );
      expect(provider?.status?.conditions?.find((c) => c.type === 'Unreachable')).toMatchObject({
        status: 'True',
        reason: 'ProviderAuthUnavailable',
      });
    },
    { what: 'the provider to be unreachable' },
  );
});

it('fails a run whose pod log shows an exhausted quota ProviderCapacityExhausted', async () => {
  await create(api, runManifest(capacity.name, 'quota', { exitCode: 1 }));
  const run = await waitForPhase(api, capacity.name, 'quota', 'Failed');
  expect(run.status).toMatchObject({ reason: 'ProviderCapacityExhausted' });
  expect(run.status?.message).toContain('insufficient_quota');
});
