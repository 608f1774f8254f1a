import { BUILTIN, CUSTOM, type KubeApi } from '@agents/kube';
import { TestNamespace, eventually, serviceAccountKubeConfig, testKubeConfig } from '@agents/testing';
import { CoreV1Api, RbacAuthorizationV1Api, type V1PolicyRule } from '@kubernetes/client-node';
import {
  adminApi,
  create,
  createRunnableSet,
  kubeconfigFile,
  runManifest,
  startControllers,
  waitForPhase,
  type ControllersProcess,
} from './harness.js';

// What the AgentRun controller does on each resync besides reconciling: the runtime debris cleanup of finished
// runner pods whose Job is gone, and the ingestion health of runs nobody handles (REFERENCE §2.9), with their metrics.
const RUN_LABEL = 'agents.proompteng.ai/agent-run';
let api: KubeApi;
let debris: TestNamespace;
let stuck: TestNamespace;
let blind: TestNamespace;
const clusterRbac = `agents-test-housekeeping-${process.pid}`;

beforeAll(async () => {
  api = await adminApi();
  debris = await TestNamespace.create(testKubeConfig(), 'ctl-debris');
  stuck = await TestNamespace.create(testKubeConfig(), 'ctl-ingest');
  blind = await TestNamespace.create(testKubeConfig(), 'ctl-blind');
});

afterAll(async () => {
  const rbac = testKubeConfig().makeApiClient(RbacAuthorizationV1Api);
  for (const ns of [stuck, blind])
    if (ns) await rbac.deleteClusterRoleBinding({ name: `${clusterRbac}-${ns.name}` }).catch(() => undefined);
  await rbac.deleteClusterRole({ name: clusterRbac }).catch(() => undefined);
  await debris?.delete();
  await stuck?.delete();
  await blind?.delete();
  api?.close();
});

const metric = (body: string, name: string, namespace: string): number | undefined => {
  const m = body.match(new RegExp(`^${name}\\{namespace="${namespace}"\\} (\\d+(?:\\.\\d+)?)$`, 'm'));
  return m ? Number(m[1]) : undefined;
};

interface PodView {
  metadata: { name: string; deletionTimestamp?: string; ownerReferences?: unknown[] };
  status?: { phase?: string };
}

/** A Job the way a run's Job is labelled; kwok runs its pod for `runFor`. */
async function runnerJob(ns: string, name: string, runFor = '0s'): Promise<void> {
  const labels = { [RUN_LABEL]: name };
  await api.create(BUILTIN.job, {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns, labels },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels, annotations: { 'sim.agents.dev/run-for': runFor } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'agent-runner', image: 'runner:test' }] },
      },
    },
  });
}

async function podOf(ns: string, job: string): Promise<PodView | undefined> {
  const list = await api.list<PodView>(BUILTIN.pod, ns, { labelSelector: `${RUN_LABEL}=${job}` });
  return list.items[0];
}

describe('runtime debris cleanup', () => {
  let controllers: ControllersProcess | undefined;
  afterEach(async () => {
    await controllers?.kill();
    controllers = undefined;
  });

  beforeAll(async () => {
    // Two finished pods whose Jobs were deleted with propagationPolicy Orphan, a finished pod whose Job still
    // exists, and a running pod whose Job is gone.
    for (const name of ['orphan-a', 'orphan-b', 'kept']) await runnerJob(debris.name, name);
    await runnerJob(debris.name, 'long', '10m');
    for (const name of ['orphan-a', 'orphan-b', 'kept'])
      await eventually(
        async () => {
          if ((await podOf(debris.name, name))?.status?.phase !== 'Succeeded') throw new Error(`${name} not done`);
        },
        { timeoutMs: 30_000, what: `the pod of ${name} to succeed` },
      );
    await eventually(
      async () => {
        if ((await podOf(debris.name, 'long'))?.status?.phase !== 'Running') throw new Error('long not running');
      },
      { timeoutMs: 30_000, what: 'the pod of long to run' },
    );
    for (const name of ['orphan-a', 'orphan-b', 'long'])
      await api.delete(BUILTIN.job, debris.name, name, { propagationPolicy: 'Orphan' });
    for (const name of ['orphan-a', 'orphan-b', 'long'])
      await eventually(
        async () => {
          if ((await podOf(debris.name, name))?.metadata.ownerReferences?.length) throw new Error('still owned');
        },
        { timeoutMs: 30_000, what: `the pod of ${name} to be orphaned` },
      );
  }, 120_000);

  const env = (mode: string) => ({
    JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_CLEANUP_MODE: mode,
    JANGAR_AGENTS_CONTROLLER_ORPHAN_POD_RETENTION_SECONDS: '0',
    JANGAR_AGENTS_CONTROLLER_RUNTIME_DEBRIS_MAX_DELETES_PER_NAMESPACE: '1',
    JANGAR_AGENTS_CONTROLLER_RESYNC_INTERVAL_SECONDS: '10',
  });

  it('in audit mode counts the orphaned finished pods and deletes nothing', async () => {
    controllers = await startControllers({ namespaces: [debris.name], env: env('audit') });
    await eventually(
      async () => {
        const { body } = await controllers!.get('/metrics');
        expect(metric(body, 'agents_runtime_debris_orphan_pods', debris.name)).toBe(2);
      },
      { timeoutMs: 30_000, what: 'the orphan count' },
    );
    expect(controllers.logs()).toContain(`2 orphaned runner pods in ${debris.name} (audit mode: not deleted)`);
    for (const name of ['orphan-a', 'orphan-b', 'kept', 'long'])
      expect((await podOf(debris.name, name))?.metadata.deletionTimestamp).toBeUndefined();
  }, 60_000);

  it('in delete mode deletes them, at most the bound per namespace per sweep, and nothing else', async () => {
    controllers = await startControllers({ namespaces: [debris.name], env: env('delete') });
    const gone = async (name: string) => {
      const pod = await podOf(debris.name, name);
      return !pod || !!pod.metadata.deletionTimestamp;
    };
    // The sweep at startup takes one (the bound), the next resync the other.
    await eventually(
      async () => {
        if (!(await gone('orphan-a')) && !(await gone('orphan-b'))) throw new Error('none deleted yet');
      },
      { timeoutMs: 20_000, what: 'the first orphan to be deleted' },
    );
    expect((await gone('orphan-a')) && (await gone('orphan-b'))).toBe(false);
    await eventually(
      async () => {
        if (!((await gone('orphan-a')) && (await gone('orphan-b')))) throw new Error('one left');
      },
      { timeoutMs: 30_000, what: 'the second orphan to be deleted' },
    );
    await eventually(
      async () => {
        const { body } = await controllers!.get('/metrics');
        expect(metric(body, 'agents_runtime_debris_deleted_pods_total', debris.name)).toBe(2);
        expect(metric(body, 'agents_runtime_debris_orphan_pods', debris.name)).toBe(0);
      },
      { timeoutMs: 30_000, what: 'the counts after the cleanup' },
    );
    expect(await gone('kept')).toBe(false);
    expect(await gone('long')).toBe(false);
    expect((await controllers.get('/metrics')).body).not.toMatch(/agents_runtime_debris_delete_errors_total\{/);
  }, 90_000);
});

describe('ingestion health', () => {
  /** The rules the controllers need in one namespace, with `agentruns/status` or the AgentRun watch left out. */
  const rules = (withRunStatus: boolean, withRunWatch = true): V1PolicyRule[] => [
    {
      apiGroups: ['agents.proompteng.ai'],
      resources: [
        'agents',
        'agentproviders',
        'implementationspecs',
        'implementationsources',
        'versioncontrolproviders',
        'memories',
      ],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    },
    {
      apiGroups: ['agents.proompteng.ai'],
      resources: ['agentruns'],
      verbs: ['get', 'list', ...(withRunWatch ? ['watch'] : []), 'create', 'update', 'patch', 'delete'],
    },
    {
      apiGroups: ['agents.proompteng.ai'],
      resources: [
        'agents/status',
        'agentproviders/status',
        'implementationspecs/status',
        'versioncontrolproviders/status',
        'memories/status',
        ...(withRunStatus ? ['agentruns/status'] : []),
      ],
      verbs: ['get', 'update', 'patch'],
    },
    { apiGroups: ['agents.proompteng.ai'], resources: ['agentruns/finalizers'], verbs: ['update'] },
    {
      apiGroups: ['batch'],
      resources: ['jobs'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    },
    {
      apiGroups: [''],
      resources: ['configmaps'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
    { apiGroups: [''], resources: ['pods/log', 'secrets'], verbs: ['get'] },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
    },
  ];

  let controllers: ControllersProcess | undefined;
  afterAll(() => controllers?.kill());
  const admin = testKubeConfig();
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);

  /** A ServiceAccount `ctl` in the namespace bound to these rules (and to reading CRDs); returns its kubeconfig. */
  async function serviceAccount(ns: string, namespaced: V1PolicyRule[]): Promise<string> {
    await admin
      .makeApiClient(CoreV1Api)
      .createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'ctl' } } });
    await rbac.createNamespacedRole({ namespace: ns, body: { metadata: { name: 'ctl' }, rules: namespaced } });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'ctl' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ctl' },
        subjects: [{ kind: 'ServiceAccount', name: 'ctl', namespace: ns }],
      },
    });
    await rbac
      .createClusterRole({
        body: {
          metadata: { name: clusterRbac },
          rules: [
            {
              apiGroups: ['apiextensions.k8s.io'],
              resources: ['customresourcedefinitions'],
              verbs: ['get', 'list', 'watch'],
            },
          ],
        },
      })
      .catch((err: { code?: number }) => {
        if (err.code !== 409) throw err;
      });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: `${clusterRbac}-${ns}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRbac },
        subjects: [{ kind: 'ServiceAccount', name: 'ctl', namespace: ns }],
      },
    });
    return kubeconfigFile(await serviceAccountKubeConfig(admin, ns, 'ctl'));
  }

  it('reports runs nobody handles as degraded (still ready), and recovers two resyncs after they are handled', async () => {
    const ns = stuck.name;
    const kubeconfig = await serviceAccount(ns, rules(false));
    await createRunnableSet(api, ns);
    controllers = await startControllers({
      namespaces: [ns],
      kubeconfig,
      env: {
        JANGAR_AGENTS_CONTROLLER_UNTOUCHED_WARN_AFTER_SECONDS: '2',
        JANGAR_AGENTS_CONTROLLER_RESYNC_INTERVAL_SECONDS: '10',
      },
    });
    const ready = await controllers.get('/readyz');
    expect(JSON.parse(ready.body)).toEqual({ status: 'ok', reasons: [] });

    // Without agentruns/status the controller cannot record anything about the run: it stays untouched.
    await create(api, runManifest(ns, 'stuck'));
    await eventually(
      async () => {
        const res = await controllers!.get('/readyz');
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toEqual({
          status: 'degraded',
          reasons: [],
          degraded: [`agentrun-ingestion: agentrun_ingestion_not_ready: AgentRuns untouched for over 2s in ${ns}`],
        });
      },
      { timeoutMs: 30_000, what: '/readyz to report the untouched run' },
    );
    const { body } = await controllers.get('/metrics');
    expect(metric(body, 'agents_agentrun_untouched_backlog', ns)).toBe(1);
    expect(metric(body, 'agents_agentrun_untouched_oldest_age_seconds', ns)).toBeGreaterThanOrEqual(2);
    expect(metric(body, 'agents_agentrun_resync_adoptions_total', ns)).toBeGreaterThanOrEqual(1);
    expect(metric(body, 'agents_agent_queue_depth', ns)).toBe(1);
    expect(metric(body, 'agents_active_concurrency', ns)).toBe(0);

    // Granted the subresource, the run goes through, and two quiet resyncs later the namespace is healthy again.
    await rbac.replaceNamespacedRole({
      name: 'ctl',
      namespace: ns,
      body: { metadata: { name: 'ctl' }, rules: rules(true) },
    });
    // (An edit wakes the run at once; otherwise it waits out the backoff of its failed status writes, up to 60 s.)
    await new Promise((r) => setTimeout(r, 1000));
    await api.mergePatch(CUSTOM.AgentRun!, ns, 'stuck', { metadata: { annotations: { 'agents.test/nudge': '1' } } });
    await waitForPhase(api, ns, 'stuck', 'Succeeded', 90_000);
    const after = await controllers.get('/metrics');
    expect(metric(after.body, 'agents_agentrun_untouched_backlog', ns)).toBe(0);
    expect(metric(after.body, 'agents_agent_queue_depth', ns)).toBe(0);
    await eventually(
      async () => expect(JSON.parse((await controllers!.get('/readyz')).body)).toEqual({ status: 'ok', reasons: [] }),
      { timeoutMs: 40_000, what: '/readyz to recover' },
    );
    await controllers.kill();
    controllers = undefined;
  }, 180_000);

  it('reports a namespace whose AgentRun watch delivers nothing as blind, and recovers once it does', async () => {
    // Listing works and watching is forbidden: the runs are seen only when a relist happens to bring them.
    const ns = blind.name;
    const kubeconfig = await serviceAccount(ns, rules(true, false));
    await createRunnableSet(api, ns);
    await create(api, runManifest(ns, 'seen-by-list'));
    controllers = await startControllers({
      namespaces: [ns],
      kubeconfig,
      env: {
        JANGAR_AGENTS_CONTROLLER_WATCH_SILENCE_WARN_SECONDS: '3',
        JANGAR_AGENTS_CONTROLLER_RESYNC_INTERVAL_SECONDS: '10',
      },
    });
    await eventually(
      async () =>
        expect(JSON.parse((await controllers!.get('/readyz')).body)).toEqual({
          status: 'degraded',
          reasons: [],
          degraded: [`agentrun-ingestion: agentrun_ingestion_not_ready: no AgentRun watch events for over 3s in ${ns}`],
        }),
      { timeoutMs: 30_000, what: '/readyz to report the blind watch' },
    );
    // Granted `watch`, the next retry's watch delivers the run's next change, and two resyncs later it is healthy.
    await rbac.replaceNamespacedRole({
      name: 'ctl',
      namespace: ns,
      body: { metadata: { name: 'ctl' }, rules: rules(true) },
    });
    await eventually(
      async () => {
        await api.mergePatch(CUSTOM.AgentRun!, ns, 'seen-by-list', {
          metadata: { annotations: { 'agents.test/nudge': String(Date.now()) } },
        });
        expect(JSON.parse((await controllers!.get('/readyz')).body)).toEqual({ status: 'ok', reasons: [] });
      },
      { timeoutMs: 90_000, intervalMs: 2000, what: '/readyz to recover once the watch works' },
    );
  }, 150_000);
});
