// The chart installed on the local cluster in both RBAC modes, then checked with each component's own
// ServiceAccount token: the API server must allow exactly the rules of files/rbac-rules.yaml, in exactly the watched
// namespaces (pods are simulated by kwok: the Deployments become available without running the apps).
import { ALL_KINDS, crdName } from '@agents/api';
import { TestNamespace, eventually, serviceAccountKubeConfig, testKubeConfig } from '@agents/testing';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  AuthenticationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
} from '@kubernetes/client-node';
import {
  allowedIn,
  baseline,
  can,
  expectedIn,
  install,
  readLive,
  releaseName,
  statusOf,
  uninstall,
  type Release,
} from '../src/cluster.js';
import { attributes, permissions, rulesFile, type RulesKey } from '../src/rbac.js';

const admin = testKubeConfig();
const rules = rulesFile();
const AGENTS = { group: 'agents.proompteng.ai', version: 'v1alpha1', plural: 'agentruns' };

interface Scenario {
  title: string;
  /** Values for the install, given the release and watched namespaces. */
  values: (watched: string[]) => unknown;
  /** Extra namespaces the controllers watch (the release namespace is watched when this is 0). */
  watchedNamespaces: number;
}

const scenarios: Scenario[] = [
  { title: 'namespaced install with the default values', values: () => ({}), watchedNamespaces: 0 },
  {
    title: 'cluster-scoped install watching two namespaces',
    values: (watched) => ({ rbac: { clusterScoped: true }, controller: { namespaces: watched } }),
    watchedNamespaces: 2,
  },
];

describe.each(scenarios)('$title', ({ values, watchedNamespaces }) => {
  let home: TestNamespace;
  let outside: TestNamespace;
  const watchedNs: TestNamespace[] = [];
  let release: Release;
  let watched: string[];
  let base: string[];
  const tokens = {} as Record<RulesKey, KubeConfig>;
  const accounts = {} as Record<RulesKey, string>;

  beforeAll(async () => {
    home = await TestNamespace.create(admin, 'chart-home');
    outside = await TestNamespace.create(admin, 'chart-outside');
    for (let i = 0; i < watchedNamespaces; i++) watchedNs.push(await TestNamespace.create(admin, `chart-watch${i}`));
    watched = watchedNamespaces ? watchedNs.map((n) => n.name) : [home.name];
    release = install(releaseName('it'), home.name, values(watched));
    accounts.controlPlane = `${release.name}-agents`;
    accounts.controllers = `${release.name}-agents-controllers`;
    base = await baseline(admin, home.name);
    for (const key of ['controlPlane', 'controllers'] as const) {
      tokens[key] = await serviceAccountKubeConfig(admin, home.name, accounts[key]);
    }
  });

  afterAll(async () => {
    if (release) uninstall(release.name, home.name);
    for (const ns of [home, outside, ...watchedNs]) await ns?.delete();
  });

  it('finds every CRD established and creates every object of the release', async () => {
    const ext = admin.makeApiClient(ApiextensionsV1Api);
    for (const kind of ALL_KINDS) {
      const crd = await ext.readCustomResourceDefinition({ name: crdName(kind) });
      expect({
        crd: crdName(kind),
        established: crd.status?.conditions?.find((c) => c.type === 'Established')?.status,
      }).toEqual({
        crd: crdName(kind),
        established: 'True',
      });
    }
    const missing: string[] = [];
    for (const o of release.objects) if (!(await readLive(admin, o))) missing.push(`${o.kind}/${o.metadata.name}`);
    expect(missing).toEqual([]);
    expect(release.objects.length).toBeGreaterThanOrEqual(15);
  });

  it('brings both Deployments to available', async () => {
    const apps = admin.makeApiClient(AppsV1Api);
    for (const name of [accounts.controlPlane, accounts.controllers]) {
      await eventually(
        async () => {
          const d = await apps.readNamespacedDeployment({ name, namespace: home.name });
          if (d.status?.availableReplicas !== 1) throw new Error(`${name}: ${JSON.stringify(d.status?.conditions)}`);
        },
        { what: `Deployment ${name} to be available`, timeoutMs: 60_000, intervalMs: 250 },
      );
    }
  });

  it('issues tokens for both ServiceAccounts that authenticate as them', async () => {
    for (const key of ['controlPlane', 'controllers'] as const) {
      const review = await tokens[key].makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
      expect(review.status?.userInfo?.username).toBe(`system:serviceaccount:${home.name}:${accounts[key]}`);
    }
  });

  it.each(['controlPlane', 'controllers'] as const)(
    'allows the %s token exactly its rules in each watched namespace, and only its cluster rules elsewhere',
    async (key) => {
      const token = tokens[key];
      const places = [...new Set([home.name, outside.name, ...watched])];
      for (const ns of places) {
        const where = {
          watched: watched.includes(ns),
          leaseNamespace: ns === home.name,
          allNamespaces: false,
        };
        expect({ namespace: ns, allowed: await allowedIn(token, ns) }).toEqual({
          namespace: ns,
          allowed: expectedIn(rules, key, where, base),
        });
      }
      // The same, request by request (what `kubectl auth can-i --as` asks): every namespaced verb in every watched
      // namespace, every cluster verb cluster-wide.
      const denied: string[] = [];
      const checks = [
        ...watched.flatMap((ns) => permissions(rules[key].namespaced).map((p) => attributes(p, ns))),
        ...permissions(rules[key].cluster).map((p) => attributes(p)),
        ...permissions(rules[key].leaderElection).map((p) => attributes(p, home.name)),
      ];
      for (let i = 0; i < checks.length; i += 50) {
        await Promise.all(
          checks.slice(i, i + 50).map(async (a) => {
            if (!(await can(token, a))) denied.push(JSON.stringify(a));
          }),
        );
      }
      expect(denied).toEqual([]);
    },
  );

  it('lets the controllers token do their work in every watched namespace', async () => {
    const token = tokens.controllers;
    const core = token.makeApiClient(CoreV1Api);
    for (const namespace of watched) {
      await token.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...AGENTS, namespace });
      const name = `run-inputs-${namespace}`.slice(0, 63);
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { 'run.json': '{}' } } });
      // Core Events (client-node cannot serialise events.k8s.io's MicroTime; the rules grant both groups).
      await core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: 'agents-test-' },
          involvedObject: { kind: 'ConfigMap', name, namespace, apiVersion: 'v1' },
          reason: 'Test',
          message: 'the controllers may record events',
          type: 'Normal',
          source: { component: 'agents-controllers' },
        },
      });
      await core.deleteNamespacedConfigMap({ name, namespace });
    }
    await token.makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const leases = token.makeApiClient(CoordinationV1Api);
    await leases.createNamespacedLease({
      namespace: home.name,
      body: {
        metadata: { name: 'agents-controller-leader' },
        spec: { holderIdentity: 'test', leaseDurationSeconds: 30 },
      },
    });
  });

  it('denies the controllers token what the rules leave out', async () => {
    const token = tokens.controllers;
    const ns = watched[0]!;
    expect(await statusOf(() => token.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: ns }))).toBe(403);
    expect(
      await statusOf(() =>
        token.makeApiClient(AppsV1Api).createNamespacedDeployment({
          namespace: ns,
          body: {
            metadata: { name: 'nope' },
            spec: {
              selector: { matchLabels: { a: 'b' } },
              template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
            },
          },
        }),
      ),
    ).toBe(403);
    expect(
      await statusOf(() =>
        token.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...AGENTS, namespace: outside.name }),
      ),
    ).toBe(403);
    expect(await statusOf(() => token.makeApiClient(CoreV1Api).listNamespace())).toBe(403);
    expect(await can(token, { verb: 'delete', group: 'agents.proompteng.ai', resource: 'agents', namespace: ns })).toBe(
      false,
    );
    expect(
      await can(token, { verb: 'update', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }),
    ).toBe(false);
  });

  it('lets the control plane token manage runs but not their inputs', async () => {
    const token = tokens.controlPlane;
    const ns = watched[0]!;
    await token.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ ...AGENTS, namespace: ns });
    expect(
      await statusOf(() =>
        token
          .makeApiClient(CoreV1Api)
          .createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'nope' } } }),
      ),
    ).toBe(403);
    // Jobs, pods and Secrets are the controllers' business: agentctl cancel goes through an annotation on the run.
    expect(await can(token, { verb: 'delete', group: 'batch', resource: 'jobs', namespace: ns })).toBe(false);
    expect(await can(token, { verb: 'create', group: 'batch', resource: 'jobs', namespace: ns })).toBe(false);
    expect(await can(token, { verb: 'get', group: '', resource: 'secrets', namespace: ns })).toBe(false);
    // It reads the controllers' Lease (agentctl status) and can never write it.
    expect(
      await can(token, { verb: 'get', group: 'coordination.k8s.io', resource: 'leases', namespace: home.name }),
    ).toBe(true);
    expect(
      await can(token, { verb: 'create', group: 'coordination.k8s.io', resource: 'leases', namespace: home.name }),
    ).toBe(false);
  });
});

describe('install watching every namespace', () => {
  let home: TestNamespace;
  let other: TestNamespace;
  let release: Release;

  beforeAll(async () => {
    home = await TestNamespace.create(admin, 'chart-all');
    other = await TestNamespace.create(admin, 'chart-any');
    release = install(releaseName('all'), home.name, {
      rbac: { clusterScoped: true },
      controller: { namespaces: ['*'] },
    });
  });

  afterAll(async () => {
    if (release) uninstall(release.name, home.name);
    await home?.delete();
    await other?.delete();
  });

  it('allows the controllers their namespaced rules in any namespace, and listing namespaces', async () => {
    const token = await serviceAccountKubeConfig(admin, home.name, `${release.name}-agents-controllers`);
    const base = await baseline(admin, home.name);
    expect(await allowedIn(token, other.name)).toEqual(
      expectedIn(rules, 'controllers', { watched: true, leaseNamespace: false, allNamespaces: true }, base),
    );
    expect(await statusOf(() => token.makeApiClient(CoreV1Api).listNamespace())).toBe(200);
  });
});
