import { ApiException, BatchV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { TestNamespace, serviceAccountKubeConfig, testKubeConfig } from '../src/index.js';

// A client holding only a ServiceAccount's TokenRequest token gets exactly what the account's Role grants.
const admin = testKubeConfig();
let ns: TestNamespace;

beforeAll(async () => {
  ns = await TestNamespace.create(admin, 'smoke-rbac');
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await core.createNamespacedServiceAccount({ namespace: ns.name, body: { metadata: { name: 'reader' } } });
  await rbac.createNamespacedRole({
    namespace: ns.name,
    body: {
      metadata: { name: 'configmap-reader' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: ns.name,
    body: {
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'configmap-reader' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns.name }],
    },
  });
});
afterAll(() => ns.delete());

async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (err) {
    if (err instanceof ApiException) return err.code;
    throw err;
  }
}

it('allows what the Role grants', async () => {
  const kc = await serviceAccountKubeConfig(admin, ns.name, 'reader');
  const core = kc.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedConfigMap({ namespace: ns.name });
  expect(list.items.map((c) => c.metadata?.name)).toContain('kube-root-ca.crt');
});

it('denies what the Role does not grant with 403', async () => {
  const kc = await serviceAccountKubeConfig(admin, ns.name, 'reader');
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  expect(
    await statusOf(core.createNamespacedConfigMap({ namespace: ns.name, body: { metadata: { name: 'x' } } })),
  ).toBe(403);
  expect(await statusOf(core.listNamespacedSecret({ namespace: ns.name }))).toBe(403);
  expect(await statusOf(batch.listNamespacedJob({ namespace: ns.name }))).toBe(403);
  expect(await statusOf(core.listNamespacedConfigMap({ namespace: 'default' }))).toBe(403);
});

it('is rejected with 401 once the token is not a valid one', async () => {
  const kc = await serviceAccountKubeConfig(admin, ns.name, 'reader');
  const user = kc.getCurrentUser();
  if (!user) throw new Error('no user');
  (user as { token?: string }).token = 'not-a-token';
  expect(await statusOf(kc.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns.name }))).toBe(401);
});
