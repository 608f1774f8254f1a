import { BatchV1Api, CoreV1Api, type V1Job } from '@kubernetes/client-node';
import { TestNamespace, eventually, testKubeConfig } from '../src/index.js';

// Proves the local cluster end to end: the scheduler binds Job pods to the kwok node, kwok's stages finish them,
// and the Job controller in kube-controller-manager marks the Job Complete or Failed.
const kc = testKubeConfig();
const batch = kc.makeApiClient(BatchV1Api);
const core = kc.makeApiClient(CoreV1Api);
let ns: TestNamespace;

function job(name: string, annotations: Record<string, string> = {}): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { annotations },
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'example.invalid/noop:1', command: ['true'] }],
        },
      },
    },
  };
}

function condition(j: V1Job, type: string): string | undefined {
  return j.status?.conditions?.find((c) => c.type === type)?.status;
}

beforeAll(async () => {
  ns = await TestNamespace.create(kc, 'smoke-jobs');
});
afterAll(() => ns.delete());

it('runs a Job pod on the kwok node to Complete', async () => {
  await batch.createNamespacedJob({ namespace: ns.name, body: job('ok') });
  const done = await eventually(
    async () => {
      const j = await batch.readNamespacedJob({ name: 'ok', namespace: ns.name });
      expect(condition(j, 'Complete')).toBe('True');
      return j;
    },
    { what: 'Job ok to be Complete' },
  );
  expect(done.status?.succeeded).toBe(1);
  const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'job-name=ok' });
  expect(pods.items.map((p) => [p.spec?.nodeName, p.status?.phase])).toEqual([['kwok-node-0', 'Succeeded']]);
});

it('fails a Job whose pod asks for an exit code, with that code and message on the container', async () => {
  const message = JSON.stringify({ status: 'failed', exitCode: 3 });
  await batch.createNamespacedJob({
    namespace: ns.name,
    body: job('boom', { 'sim.agents.dev/exit-code': '3', 'sim.agents.dev/termination-message': message }),
  });
  await eventually(
    async () => {
      const j = await batch.readNamespacedJob({ name: 'boom', namespace: ns.name });
      expect(condition(j, 'Failed')).toBe('True');
    },
    { what: 'Job boom to be Failed' },
  );
  const pods = await core.listNamespacedPod({ namespace: ns.name, labelSelector: 'job-name=boom' });
  const terminated = pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated;
  expect(pods.items[0]?.status?.phase).toBe('Failed');
  expect(terminated?.exitCode).toBe(3);
  expect(terminated?.message).toBe(message);
});

it('keeps a pod running for the requested time before completing it', async () => {
  const started = Date.now();
  await batch.createNamespacedJob({ namespace: ns.name, body: job('slow', { 'sim.agents.dev/run-for': '2s' }) });
  await eventually(
    async () => {
      const j = await batch.readNamespacedJob({ name: 'slow', namespace: ns.name });
      expect(condition(j, 'Complete')).toBe('True');
    },
    { what: 'Job slow to be Complete' },
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
});
