import { TestNamespace, eventually, serviceAccountKubeConfig, testKubeConfig } from '@agents/testing';
import {
  BUILTIN,
  KubeApi,
  isAlreadyExists,
  isForbidden,
  isGone,
  type KubeApiError,
  type ResourceType,
} from '../src/index.js';

// The REST client against the real API server: CRUD, server-side apply, merge patch with optimistic concurrency,
// typed errors, and watches (events, server timeout, 410 on a stale resourceVersion).
let api: KubeApi;
let ns: TestNamespace;
const cm = (name: string, data: Record<string, string> = {}) => ({ metadata: { name, namespace: ns.name }, data });

beforeAll(async () => {
  api = await KubeApi.fromKubeConfig(testKubeConfig(), { qps: 0 });
  ns = await TestNamespace.create(testKubeConfig(), 'kube-api');
});
afterAll(async () => {
  await ns.delete();
  api.close();
});

it('creates, reads, lists and deletes', async () => {
  await api.create(BUILTIN.configMap, cm('a', { k: 'v' }));
  expect((await api.get<{ data: Record<string, string> }>(BUILTIN.configMap, ns.name, 'a'))?.data).toEqual({ k: 'v' });
  expect((await api.list(BUILTIN.configMap, ns.name, { labelSelector: 'x!=y' })).items.length).toBeGreaterThanOrEqual(
    1,
  );
  expect(await api.delete(BUILTIN.configMap, ns.name, 'a')).toBe(true);
  expect(await api.delete(BUILTIN.configMap, ns.name, 'a')).toBe(false);
  expect(await api.get(BUILTIN.configMap, ns.name, 'a')).toBeUndefined();
});

it('reports a conflict on create as AlreadyExists with the Status reason', async () => {
  await api.create(BUILTIN.configMap, cm('dup'));
  const err = await api.create(BUILTIN.configMap, cm('dup')).catch((e: unknown) => e);
  expect(isAlreadyExists(err)).toBe(true);
  expect((err as KubeApiError).message).toMatch(/409 AlreadyExists/);
});

it('server-side applies as a field manager, idempotently', async () => {
  const first = await api.apply<{ metadata: { resourceVersion: string } }>(
    BUILTIN.configMap,
    cm('ssa', { a: '1' }),
    'agents-test',
  );
  const again = await api.apply<{ metadata: { resourceVersion: string } }>(
    BUILTIN.configMap,
    cm('ssa', { a: '1' }),
    'agents-test',
  );
  expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
});

it('refuses a merge patch carrying a stale resourceVersion with 409 Conflict', async () => {
  const created = await api.create<{ metadata: { resourceVersion: string } }>(BUILTIN.configMap, cm('occ'));
  await api.mergePatch(BUILTIN.configMap, ns.name, 'occ', { data: { x: '1' } });
  const err = await api
    .mergePatch(BUILTIN.configMap, ns.name, 'occ', {
      metadata: { resourceVersion: created.metadata.resourceVersion },
      data: { x: '2' },
    })
    .catch((e: unknown) => e);
  expect((err as KubeApiError).code).toBe(409);
  expect((err as KubeApiError).reason).toBe('Conflict');
});

it('watches events in order and ends cleanly at the server-side timeout', async () => {
  const { metadata } = await api.list(BUILTIN.configMap, ns.name);
  const events: string[] = [];
  const done = api.watch<{ metadata: { name: string } }>(
    BUILTIN.configMap,
    ns.name,
    { resourceVersion: metadata.resourceVersion, timeoutSeconds: 2 },
    (e) => events.push(`${e.type} ${e.object.metadata.name}`),
  );
  await api.create(BUILTIN.configMap, cm('w1'));
  await api.delete(BUILTIN.configMap, ns.name, 'w1');
  await done;
  expect(events).toEqual(['ADDED w1', 'DELETED w1']);
});

it('fails a watch from a resourceVersion the server no longer has with 410 Gone', async () => {
  // A resource type's watch cache starts at the revision the type was created at: anything older is gone for it, as
  // after a long disconnect on a busy cluster. A type of the test's own makes that hold on a fresh cluster too.
  const group = `${ns.name}.kube-test.agents.dev`;
  const probes: ResourceType = { group, version: 'v1', kind: 'Probe', plural: 'probes', namespaced: true };
  await api.create(BUILTIN.customResourceDefinition, {
    metadata: { name: `probes.${group}` },
    spec: {
      group,
      scope: 'Namespaced',
      names: { plural: 'probes', singular: 'probe', kind: 'Probe' },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  });
  try {
    await eventually(() => api.list(probes, ns.name), { what: 'the probe CRD to be served' });
    const err = await api
      .watch(probes, ns.name, { resourceVersion: '1', timeoutSeconds: 5 }, () => undefined)
      .catch((e: unknown) => e);
    expect(isGone(err)).toBe(true);
  } finally {
    await api.delete(BUILTIN.customResourceDefinition, undefined, `probes.${group}`);
  }
});

it('aborts a watch that receives nothing for its idle timeout (a half-open connection)', async () => {
  const { metadata } = await api.list(BUILTIN.configMap, ns.name);
  const started = Date.now();
  const err = await api
    .watch(
      BUILTIN.configMap,
      ns.name,
      { resourceVersion: metadata.resourceVersion, timeoutSeconds: 60, idleTimeoutMs: 1000 },
      () => undefined,
    )
    .catch((e: unknown) => e);
  expect(String(err)).toMatch(/nothing received for 1000 ms/);
  expect(Date.now() - started).toBeLessThan(5000);
});

it('authenticates with a ServiceAccount token and surfaces what RBAC denies as 403', async () => {
  await api.create(BUILTIN.serviceAccount, { metadata: { name: 'nobody', namespace: ns.name } });
  const sa = await KubeApi.fromKubeConfig(await serviceAccountKubeConfig(testKubeConfig(), ns.name, 'nobody'), {
    qps: 0,
  });
  try {
    const err = await sa.list(BUILTIN.configMap, ns.name).catch((e: unknown) => e);
    expect(isForbidden(err)).toBe(true);
    expect((err as KubeApiError).message).toContain('system:serviceaccount:' + ns.name + ':nobody');
  } finally {
    sa.close();
  }
});
