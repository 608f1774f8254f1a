import { BUILTIN, type KubeApi } from '@agents/kube';
import { TestNamespace, eventually, testKubeConfig } from '@agents/testing';
import {
  adminApi,
  create,
  createRunnableSet,
  runManifest,
  startControllers,
  waitForPhase,
  type ControllersProcess,
} from './harness.js';

// R2 in miniature: two replicas, one leader; only the leader writes; the other takes over when the leader dies.
let api: KubeApi;
let ns: TestNamespace;
const procs: ControllersProcess[] = [];

const isLeader = async (p: ControllersProcess) =>
  /^agents_leader_election_is_leader 1$/m.test((await p.get('/metrics')).body);
const writes = async (p: ControllersProcess) =>
  (await p.get('/metrics')).body
    .split('\n')
    .filter((l) => /^agents_kube_api_requests_total\{verb="(POST|PUT|PATCH|DELETE)"/.test(l))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);

beforeAll(async () => {
  api = await adminApi();
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-leader');
  await createRunnableSet(api, ns.name);
});

afterAll(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await ns.delete();
  api.close();
});

it('elects one leader, lets only it write, and hands over when it dies', async () => {
  const a = await startControllers({ namespaces: [ns.name] });
  const b = await startControllers({ namespaces: [ns.name] });
  procs.push(a, b);
  const [leader, follower] = await eventually(
    async () => {
      const flags = [await isLeader(a), await isLeader(b)];
      expect(flags.filter(Boolean)).toHaveLength(1);
      return flags[0] ? [a, b] : [b, a];
    },
    { what: 'exactly one leader' },
  );
  const lease = await api.get<{ spec: { holderIdentity: string } }>(BUILTIN.lease, ns.name, 'agents-controller-leader');
  expect(lease?.spec.holderIdentity).toMatch(new RegExp(`^controllers-${leader!.port}_`));

  await create(api, runManifest(ns.name, 'before'));
  await waitForPhase(api, ns.name, 'before', 'Succeeded');
  expect(await writes(leader!)).toBeGreaterThan(0);
  expect(await writes(follower!)).toBe(0);

  await leader!.kill('SIGKILL');
  const killedAt = Date.now();
  await eventually(async () => expect(await isLeader(follower!)).toBe(true), {
    timeoutMs: 20_000,
    what: 'the follower to take over',
  });
  // Lease duration 6 s + one retry period: a takeover within the lease duration plus a margin.
  expect(Date.now() - killedAt).toBeLessThan(15_000);

  await create(api, runManifest(ns.name, 'after'));
  await waitForPhase(api, ns.name, 'after', 'Succeeded');
}, 90_000);

it('releases the lease on a clean shutdown so the successor starts at once', async () => {
  const current = procs.find((p) => p.child.exitCode === null && p.child.signalCode === null)!;
  const next = await startControllers({ namespaces: [ns.name] });
  procs.push(next);
  await eventually(async () => expect(await isLeader(current)).toBe(true));
  await current.kill('SIGTERM');
  const stoppedAt = Date.now();
  await eventually(async () => expect(await isLeader(next)).toBe(true), { timeoutMs: 10_000, what: 'the new leader' });
  expect(Date.now() - stoppedAt).toBeLessThan(4_000);
}, 60_000);
