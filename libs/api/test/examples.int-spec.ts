import { KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { TestNamespace, testKubeConfig } from '@agents/testing';
import { execFileSync } from 'node:child_process';
import { DEFINITIONS, findKind } from '../src/index.js';
import { examples, installCrds } from './crds.js';

// Every shipped example is created on the API server exactly as a user would (server-side apply into one namespace)
// and comes back with the same spec: nothing pruned, nothing rejected.
const kc = testKubeConfig();
const client = KubernetesObjectApi.makeApiClient(kc);
const all = examples();
let ns: TestNamespace;

beforeAll(async () => {
  await installCrds(kc);
  ns = await TestNamespace.create(kc, 'api-examples');
}, 60_000);
afterAll(() => ns.delete());

it('ships at least one example of every kind', () => {
  const kinds = new Set(all.map((e) => e.object.kind));
  expect(DEFINITIONS.map((d) => d.info.kind).filter((k) => !kinds.has(k))).toEqual([]);
});

it.each(all.map((e) => [`${e.file} (${e.object.kind}/${e.object.metadata?.name})`, e] as const))(
  'applies %s and reads it back unchanged in spec',
  async (_name, { object }) => {
    const body = { ...object, metadata: { ...object.metadata, namespace: ns.name } } as KubernetesObject;
    await client.patch(body, undefined, undefined, 'agents-examples', true, PatchStrategy.ServerSideApply);
    const back = (await client.read({
      apiVersion: object.apiVersion!,
      kind: object.kind!,
      metadata: { name: object.metadata!.name!, namespace: ns.name },
    })) as KubernetesObject & { spec?: unknown };
    expect(back.spec).toEqual(object.spec);
  },
);

it.each(DEFINITIONS.map((d) => [d.info.plural, d] as const))(
  'kubectl get %s prints its printer columns',
  (plural, def) => {
    const out = execFileSync('kubectl', ['get', plural, '-n', ns.name], { encoding: 'utf8' });
    const header = out.split('\n')[0]!.trim().split(/\s+/);
    expect(header).toEqual(['NAME', ...def.printerColumns.map((c) => c.name.toUpperCase())]);
    expect(out.split('\n').filter(Boolean).length).toBeGreaterThan(1);
    expect(findKind(plural)).toBe(def.info);
  },
);
