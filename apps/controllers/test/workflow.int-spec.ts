import { BUILTIN, CUSTOM, type KubeApi } from '@agents/kube';
import { TestNamespace, eventually, testKubeConfig } from '@agents/testing';
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

// The workflow runtime end to end on the local cluster: steps in order, one Job per attempt, retries, timeouts,
// loops and cleanup, with the controllers as a child process and kwok running the pods.
let api: KubeApi;
let ns: TestNamespace;
let controllers: ControllersProcess;

beforeAll(async () => {
  api = await adminApi();
  ns = await TestNamespace.create(testKubeConfig(), 'ctl-workflow');
  await createRunnableSet(api, ns.name);
  controllers = await startControllers({
    namespaces: [ns.name],
    env: {
      JANGAR_AGENTS_CONTROLLER_WORKFLOW_LOOPS_ENABLED: 'true',
      // A later step's missing ImplementationSpec is waited for this long before the run fails.
      JANGAR_AGENTS_CONTROLLER_DEPENDENCY_GRACE_SECONDS: '6',
    },
  });
}, 60_000);

afterAll(async () => {
  await controllers?.kill();
  await ns?.delete();
  api?.close();
});

interface StepView {
  name: string;
  phase?: string;
  attempt?: number;
  message?: string;
  jobRef?: { name?: string; uid?: string };
  loop?: { completedIterations?: number; stopReason?: string; iterations?: { index: number; phase?: string }[] };
}
interface WorkflowRunView {
  metadata: { uid: string; finalizers?: string[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    runtimeRef?: Record<string, unknown>;
    workflow?: { phase?: string; steps?: StepView[] };
  };
}
interface JobView {
  metadata: {
    name: string;
    creationTimestamp: string;
    labels: Record<string, string>;
    ownerReferences?: { uid: string }[];
  };
  status?: { completionTime?: string };
}

/** A workflow run whose pods kwok runs for `runFor` (every attempt of every step alike). */
const workflowRun = (name: string, steps: Record<string, unknown>[], runFor = '1s', config = {}) =>
  runManifest(ns.name, name, {
    spec: {
      runtime: { type: 'workflow', config: { podAnnotations: { 'sim.agents.dev/run-for': runFor }, ...config } },
      workflow: { steps },
    },
  });
const getRun = (name: string) => api.get<WorkflowRunView>(CUSTOM.AgentRun!, ns.name, name);
const jobsOf = async (run: string) =>
  (await api.list<JobView>(BUILTIN.job, ns.name, { labelSelector: `agents.proompteng.ai/agent-run=${run}` })).items;
/** Waits until the run's first step has its Job. */
const firstJobOf = (run: string) =>
  eventually(
    async () => {
      if ((await jobsOf(run)).length !== 1) throw new Error(`waiting for the first Job of ${run}`);
    },
    { timeoutMs: 30_000 },
  );
const podsOfJob = async (job: string) =>
  (
    await api.list<{ metadata: { name: string }; status?: { phase?: string } }>(BUILTIN.pod, ns.name, {
      labelSelector: `batch.kubernetes.io/job-name=${job}`,
    })
  ).items;

it('runs the steps in order, one Job each, and marks the run Succeeded', async () => {
  await create(
    api,
    workflowRun('two-steps', [{ name: 'plan' }, { name: 'build', implementation: { inline: { text: 'Build it' } } }]),
  );
  await waitForPhase(api, ns.name, 'two-steps', 'Succeeded', 60_000);
  const run = (await getRun('two-steps'))!;
  expect(run.status).toMatchObject({ reason: 'Completed', workflow: { phase: 'Succeeded' } });
  expect(run.status!.workflow!.steps!.map((s) => [s.name, s.phase, s.attempt, s.jobRef?.name])).toEqual([
    ['plan', 'Succeeded', 1, 'two-steps-step-1-attempt-1'],
    ['build', 'Succeeded', 1, 'two-steps-step-2-attempt-1'],
  ]);
  expect(run.status!.runtimeRef).toMatchObject({ type: 'workflow', runName: 'two-steps', stepName: 'build' });

  const jobs = await jobsOf('two-steps');
  const [first, second] = ['two-steps-step-1-attempt-1', 'two-steps-step-2-attempt-1'].map((n) =>
    jobs.find((j) => j.metadata.name === n)!,
  );
  expect(jobs).toHaveLength(2);
  expect(first!.metadata.labels).toMatchObject({
    'agents.proompteng.ai/step': 'plan',
    'agents.proompteng.ai/step-index': '1',
    'agents.proompteng.ai/step-attempt': '1',
  });
  expect(second!.metadata.ownerReferences?.[0]?.uid).toBe(run.metadata.uid);
  // Strictly in order: the second step's Job was created once the first one had completed.
  expect(Date.parse(second!.metadata.creationTimestamp)).toBeGreaterThanOrEqual(
    Date.parse(first!.status!.completionTime!) - 1000,
  );
  const cm = await api.get<{ data: Record<string, string> }>(
    BUILTIN.configMap,
    ns.name,
    'two-steps-spec-step-2-attempt-1',
  );
  expect(JSON.parse(cm!.data['run.json']!)).toMatchObject({
    prompt: 'Build it',
    workflowStep: { name: 'build', index: 2, attempt: 1 },
  });
}, 90_000);

it('retries a failed attempt after its backoff, then goes on to the next step', async () => {
  await create(
    api,
    workflowRun('flaky', [{ name: 'build', retries: 1, retryBackoffSeconds: 1 }, { name: 'report' }], '5s'),
  );
  // Fail the first attempt's pod while it runs (the job controller then fails its Job).
  const pod = await eventually(
    async () => {
      const [p] = await podsOfJob('flaky-step-1-attempt-1');
      if (p?.status?.phase !== 'Running') throw new Error(`pod of attempt 1: ${p?.status?.phase ?? 'none yet'}`);
      return p;
    },
    { timeoutMs: 30_000 },
  );
  await api.mergePatch(
    BUILTIN.pod,
    ns.name,
    pod.metadata.name,
    {
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'agent-runner',
            image: 'x',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: { terminated: { exitCode: 2, reason: 'Error', message: '' } },
          },
        ],
      },
    },
    { subresource: 'status' },
  );
  await waitForPhase(api, ns.name, 'flaky', 'Succeeded', 90_000);
  const run = (await getRun('flaky'))!;
  expect(run.status!.workflow!.steps!.map((s) => [s.name, s.phase, s.attempt])).toEqual([
    ['build', 'Succeeded', 2],
    ['report', 'Succeeded', 1],
  ]);
  expect((await jobsOf('flaky')).map((j) => j.metadata.name).sort()).toEqual([
    'flaky-step-1-attempt-1',
    'flaky-step-1-attempt-2',
    'flaky-step-2-attempt-1',
  ]);
}, 120_000);

it('stops an attempt past its timeout, and fails the run once no attempt is left', async () => {
  await create(api, workflowRun('slow', [{ name: 'think', timeoutSeconds: 2, retries: 1 }], '10m'));
  await waitForPhase(api, ns.name, 'slow', 'Failed', 60_000);
  const run = (await getRun('slow'))!;
  expect(run.status).toMatchObject({ reason: 'WorkflowStepTimedOut', workflow: { phase: 'Failed' } });
  expect(run.status!.message).toMatch(/workflow step think failed after 2 attempts/);
  expect(condition(run as never, 'Failed')).toMatchObject({ status: 'True', reason: 'WorkflowStepTimedOut' });
  // Both attempts' Jobs were stopped: nothing of the run keeps running.
  await eventually(
    async () => {
      const left = await jobsOf('slow');
      if (left.length) throw new Error(`jobs left: ${left.map((j) => j.metadata.name).join(', ')}`);
    },
    { timeoutMs: 30_000 },
  );
}, 90_000);

it('runs a loop while the runner hands back a control that says so, one Job per iteration', async () => {
  const control = JSON.stringify({
    status: 'succeeded',
    exitCode: 0,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    loopControl: { more: true },
  });
  await create(
    api,
    workflowRun(
      'looping',
      [{ name: 'iterate', loop: { maxIterations: 3, condition: { expression: 'iteration.last.control.more' } } }],
      '1s',
      {
        podAnnotations: { 'sim.agents.dev/run-for': '1s', 'sim.agents.dev/termination-message': control },
      },
    ),
  );
  await waitForPhase(api, ns.name, 'looping', 'Succeeded', 90_000);
  const step = (await getRun('looping'))!.status!.workflow!.steps![0]!;
  expect(step.loop).toMatchObject({ completedIterations: 3, stopReason: 'LoopMaxIterationsReached' });
  expect(step.loop!.iterations!.map((i) => [i.index, i.phase])).toEqual([
    [1, 'Succeeded'],
    [2, 'Succeeded'],
    [3, 'Succeeded'],
  ]);
  expect((await jobsOf('looping')).map((j) => j.metadata.labels['agents.proompteng.ai/step-iteration']).sort()).toEqual(
    ['1', '2', '3'],
  );
}, 120_000);

it('refuses a loop over the iteration limit as InvalidSpec, creating nothing', async () => {
  await create(api, workflowRun('too-long', [{ name: 'iterate', loop: { maxIterations: 500 } }]));
  const run = await waitForPhase(api, ns.name, 'too-long', 'Failed');
  expect(condition(run, 'InvalidSpec')).toMatchObject({ status: 'True', reason: 'WorkflowLoopMaxIterationsExceeded' });
  expect(run.status?.message).toMatch(/spec\.workflow\.steps\[0\]\.loop\.maxIterations 500 is over the limit of 20/);
  expect(await jobsOf('too-long')).toEqual([]);
});

it('fails a later step that no longer resolves, keeping what the earlier steps did', async () => {
  await create(api, {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'ImplementationSpec',
    metadata: { name: 'later', namespace: ns.name },
    spec: { text: 'Do the later part' },
  });
  await create(
    api,
    workflowRun('orphaned', [{ name: 'first' }, { name: 'second', implementationSpecRef: { name: 'later' } }], '3s'),
  );
  await firstJobOf('orphaned');
  await api.delete(CUSTOM.ImplementationSpec!, ns.name, 'later');
  const failed = await waitForPhase(api, ns.name, 'orphaned', 'Failed', 60_000);
  expect(condition(failed, 'InvalidSpec')).toMatchObject({ status: 'True', reason: 'MissingImplementation' });
  expect(failed.status?.message).toMatch(/ImplementationSpec later \(workflow step second\) not found/);
  const steps = (await getRun('orphaned'))!.status!.workflow!.steps!;
  expect(steps.map((s) => [s.name, s.phase, s.jobRef?.name])).toEqual([
    ['first', 'Succeeded', 'orphaned-step-1-attempt-1'],
    ['second', 'Failed', undefined],
  ]);
  expect((await jobsOf('orphaned')).map((j) => j.metadata.name)).toEqual(['orphaned-step-1-attempt-1']);
}, 90_000);

it('waits out the grace period for a later step whose ImplementationSpec is being re-created', async () => {
  const spec = {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'ImplementationSpec',
    metadata: { name: 'recreated', namespace: ns.name },
    spec: { text: 'Do the later part' },
  };
  await create(api, spec);
  await create(
    api,
    workflowRun('patient', [{ name: 'first' }, { name: 'second', implementationSpecRef: { name: 'recreated' } }], '2s'),
  );
  await firstJobOf('patient');
  await api.delete(CUSTOM.ImplementationSpec!, ns.name, 'recreated');
  // The first step ends meanwhile; the second waits for its ImplementationSpec instead of failing.
  await eventually(
    async () => {
      const steps = (await getRun('patient'))?.status?.workflow?.steps ?? [];
      if (steps[0]?.phase !== 'Succeeded') throw new Error(`first step: ${steps[0]?.phase}`);
    },
    { timeoutMs: 30_000 },
  );
  expect((await getRun('patient'))!.status!.phase).toBe('Running');
  await create(api, spec);
  await waitForPhase(api, ns.name, 'patient', 'Succeeded', 60_000);
  expect((await jobsOf('patient')).map((j) => j.metadata.name).sort()).toEqual([
    'patient-step-1-attempt-1',
    'patient-step-2-attempt-1',
  ]);
}, 90_000);

it("deleting a running workflow removes every attempt's Job and ConfigMap, then the run", async () => {
  await create(api, workflowRun('doomed', [{ name: 'long' }, { name: 'never' }], '10m'));
  // Once the run is Running it holds its finalizer (a run deleted before that has its children collected by their
  // ownerReferences instead, later).
  await eventually(
    async () => {
      const run = await getRun('doomed');
      if (run?.status?.phase !== 'Running' || !run.metadata.finalizers?.length)
        throw new Error(`waiting for the run to be Running: ${run?.status?.phase}`);
      if ((await jobsOf('doomed')).length !== 1) throw new Error('waiting for the first Job');
    },
    { timeoutMs: 30_000 },
  );
  await api.delete(CUSTOM.AgentRun!, ns.name, 'doomed');
  await eventually(
    async () => {
      if (await getRun('doomed')) throw new Error('the run is still there');
    },
    { timeoutMs: 30_000 },
  );
  const configMaps = await api.list(BUILTIN.configMap, ns.name, {
    labelSelector: 'agents.proompteng.ai/agent-run=doomed',
  });
  // Gone as the run goes (its finalizer waits for them), not later by garbage collection.
  expect(configMaps.items).toEqual([]);
  expect(await jobsOf('doomed')).toEqual([]);
}, 60_000);
