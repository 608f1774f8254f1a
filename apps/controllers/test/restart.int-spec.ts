import { BUILTIN, type KubeApi } from '@agents/kube';
import { TestNamespace, eventually, testKubeConfig } from '@agents/testing';
import {
  adminApi,
  create,
  createRunnableSet,
  getRun,
  runManifest,
  startControllers,
  waitForPhase,
  type ControllersProcess,
} from './harness.js';

// F1/F3/R1 in miniature: SIGKILL the controllers in the middle of a batch of runs, start them again, and every run
// still finishes with exactly one Job.
const RUNS = 20;
let api: KubeApi;
let ns: TestNamespace;
const procs: ControllersProcess[] = [];

beforeAll(async () => {
  api = await adminApi();
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-restart');
  await createRunnableSet(api, ns.name);
});

afterAll(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await ns.delete();
  api.close();
});

it('finishes every run with exactly one Job after the controllers are killed mid-batch and restarted', async () => {
  const env = {
    JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT: '0',
    JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '0',
    JANGAR_AGENTS_CONTROLLER_CONCURRENCY_CLUSTER: '0',
  };
  const first = await startControllers({ namespaces: [ns.name], env });
  procs.push(first);
  const names = Array.from({ length: RUNS }, (_, i) => `r${i}`);
  for (const n of names) await create(api, runManifest(ns.name, n, { runFor: '4s' }));
  await eventually(
    async () => {
      const running = (await Promise.all(names.map((n) => getRun(api, ns.name, n)))).filter(
        (r) => r?.status?.phase === 'Running',
      );
      expect(running.length).toBeGreaterThanOrEqual(5);
    },
    { what: 'some runs to be running' },
  );
  await first.kill('SIGKILL');

  const second = await startControllers({ namespaces: [ns.name], env });
  procs.push(second);
  for (const n of names) await waitForPhase(api, ns.name, n, 'Succeeded', 60_000);

  const jobs = await api.list<{ metadata: { name: string; ownerReferences: { uid: string }[] } }>(
    BUILTIN.job,
    ns.name,
    {
      labelSelector: 'agents.proompteng.ai/agent-run',
    },
  );
  expect(jobs.items).toHaveLength(RUNS);
  const owners = jobs.items.map((j) => j.metadata.ownerReferences[0]!.uid);
  expect(new Set(owners).size).toBe(RUNS);
}, 120_000);
