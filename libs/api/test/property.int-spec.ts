import { CustomObjectsApi } from '@kubernetes/client-node';
import { TestNamespace, testKubeConfig } from '@agents/testing';
import fc from 'fast-check';
import { DEFINITIONS, type KindDefinition } from '../src/index.js';
import { installCrds, rejection } from './crds.js';
import { mutations, validValue } from './schema-arbitrary.js';

// Property: any spec our schema (and the TypeScript mirrors of its CEL rules) accepts, the API server accepts; any
// such spec broken in one place is rejected, and the rejection names the broken field.
const RUNS = Number(process.env.AGENTS_PBT_RUNS ?? 25);
const kc = testKubeConfig();
const api = kc.makeApiClient(CustomObjectsApi);
let ns: TestNamespace;

beforeAll(async () => {
  await installCrds(kc);
  ns = await TestNamespace.create(kc, 'api-pbt');
}, 60_000);
afterAll(() => ns.delete());

async function create(def: KindDefinition, spec: unknown, name: string): Promise<unknown> {
  const body = { apiVersion: def.info.apiVersion, kind: def.info.kind, metadata: { name, namespace: ns.name }, spec };
  return api
    .createNamespacedCustomObject({
      group: def.info.group,
      version: def.info.version,
      namespace: ns.name,
      plural: def.info.plural,
      body,
      dryRun: 'All',
      fieldValidation: 'Strict',
    })
    .then(
      () => undefined,
      (e: unknown) => e,
    );
}

describe.each(DEFINITIONS.map((d) => [d.info.kind, d] as const))('%s', (_kind, def) => {
  const specs = validValue(def.spec as never);

  it('accepts every generated valid spec', async () => {
    await fc.assert(
      fc.asyncProperty(specs, async (spec) => {
        const err = await create(def, spec, 'valid');
        if (err) throw new Error(`rejected a valid spec: ${rejection(err).message}\nspec: ${JSON.stringify(spec)}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects every generated spec broken in one place, naming the field', async () => {
    const broken = specs
      .map((spec) => ({ spec, sites: mutations(def.spec as never, spec, ['spec']) }))
      .filter(({ sites }) => sites.length > 0)
      .chain(({ spec, sites }) => fc.constantFrom(...sites).map((m) => ({ spec, m })));
    await fc.assert(
      fc.asyncProperty(broken, async ({ spec, m }) => {
        const root = { spec: structuredClone(spec) } as Record<string, unknown>;
        m.apply(root);
        const err = await create(def, root.spec, 'invalid');
        if (!err) throw new Error(`accepted a spec with ${m.what} at ${m.path}: ${JSON.stringify(root.spec)}`);
        const r = rejection(err);
        const named = r.causes.some((c) => c.field === m.path) || r.message.includes(m.path);
        if (!named) throw new Error(`rejection of ${m.what} does not name ${m.path}: ${r.message}`);
      }),
      { numRuns: RUNS },
    );
  });
});
