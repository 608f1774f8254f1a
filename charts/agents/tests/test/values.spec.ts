import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ciValuesFiles, readChartFile } from '../src/chart.js';
import {
  aliasPaths,
  defaultValues,
  schemaNodes,
  schemaPropertyPaths,
  validate,
  valuePaths,
  valuesSchema,
} from '../src/schema.js';
import { valueDocs } from '../scripts/generate.js';

const schema = valuesSchema();
const values = defaultValues();

describe('values.yaml', () => {
  it('documents every key with a `# --` comment', () => {
    const undocumented = valueDocs(readChartFile('values.yaml'))
      .filter((d) => d.description === '')
      .map((d) => d.key);
    expect(undocumented).toEqual([]);
  });

  it('documents either all or none of the children of a map', () => {
    // A map with some documented children is a section of the README: a child without a comment would vanish.
    const docs = valueDocs(readChartFile('values.yaml'));
    const documented = new Set(docs.map((d) => d.key));
    const partial = docs
      .filter((d) => d.section)
      .flatMap((d) => {
        const obj = d.key.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], values);
        return Object.keys(obj as object)
          .map((k) => `${d.key}.${k}`)
          .filter((k) => !documented.has(k));
      });
    expect(partial).toEqual([]);
  });

  it('is valid against values.schema.json', () => {
    expect(validate(schema, values)).toEqual([]);
  });

  it('has a default for every property the schema declares, and the schema declares every key', () => {
    const inValues = new Set(valuePaths(values, schema));
    const inSchema = new Set(schemaPropertyPaths(schema));
    // Schema-only properties are the optional fields of pass-through Kubernetes objects (securityContext, …).
    const passThrough = /(SecurityContext|securityContext|affinity|strategy|resources|extraVolumes|serviceAccount)\./;
    // Keys of the reference chart's layout have no defaults of their own: the key they stand for has them.
    const aliases = aliasPaths(schema);
    const isAlias = (p: string) => aliases.some((a) => p === a || p.startsWith(`${a}.`));
    // …and schema-only keys (x-agents-schema-only) are documented by the schema, not values.yaml.
    const schemaOnly = Object.entries(schema.properties ?? {})
      .filter(([, node]) => node['x-agents-schema-only'])
      .map(([k]) => k);
    const missingDefaults = [...inSchema].filter(
      (p) => !inValues.has(p) && !passThrough.test(p) && !isAlias(p) && !schemaOnly.includes(p),
    );
    expect({ notInSchema: [...inValues].filter((p) => !inSchema.has(p)), missingDefaults }).toEqual({
      notInSchema: [],
      missingDefaults: [],
    });
  });
});

describe('values.schema.json', () => {
  const nodes = schemaNodes(schema);

  it('rejects unknown keys on every object with declared properties', () => {
    const open = nodes.filter(({ node }) => node.properties && node.additionalProperties !== false).map((n) => n.path);
    expect(open).toEqual([]);
  });

  it('types every free-form object: a typed map, or a named Kubernetes pass-through object', () => {
    const untyped = nodes
      .filter(
        ({ node }) =>
          node.type === 'object' &&
          !node.properties &&
          !node.patternProperties &&
          typeof node.additionalProperties !== 'object' &&
          !node.description,
      )
      .map((n) => n.path);
    expect(untyped).toEqual([]);
  });

  it('gives every leaf a type', () => {
    const untyped = nodes
      .filter(({ node }) => !node.type && !node.anyOf && !node.oneOf && !node.enum)
      .map((n) => n.path)
      .filter((p) => p !== '');
    expect(untyped).toEqual([]);
  });

  it.each<[string, unknown, RegExp]>([
    ['a string where an integer belongs', { controlPlane: { replicaCount: 'two' } }, /controlPlane\.replicaCount/],
    ['an unknown nested key', { grpc: { enable: true } }, /grpc: unknown key enable/],
    ['a service type other than ClusterIP for gRPC', { grpc: { serviceType: 'NodePort' } }, /grpc\.serviceType/],
    ['a port out of range', { grpc: { port: 70000 } }, /grpc\.port: above 65535/],
    ['a malformed digest', { runner: { image: { digest: 'sha256:abc' } } }, /runner\.image\.digest/],
    ['a namespace that is not a DNS label', { controller: { namespaces: ['Team_A'] } }, /controller\.namespaces\[0\]/],
    ['an env var name with a dash', { env: { vars: { 'MY-VAR': 'x' } } }, /env\.vars: unknown key MY-VAR/],
  ])('rejects %s', (_case, overrides, want) => {
    const merged = deepMerge(values, overrides);
    expect(validate(schema, merged).join('\n')).toMatch(want);
  });
});

describe('the reference layout (top-level keys that stand for controlPlane.*)', () => {
  const aliases = Object.entries(schema.properties ?? {}).filter(([, node]) => node['x-agents-alias-of']);

  it('points every alias at properties the schema declares', () => {
    const declared = new Set(schemaPropertyPaths(schema));
    const targets = aliases.flatMap(([, node]) => node['x-agents-alias-of']!.split(', '));
    expect(targets.filter((to) => !declared.has(to))).toEqual([]);
    expect(aliases.length).toBeGreaterThanOrEqual(20);
  });
});

describe('the values files under ci/', () => {
  it.each(ciValuesFiles().map((f) => [path.basename(f), f]))(
    '%s is valid against values.schema.json',
    (_name, file) => {
      const merged = deepMerge(values, parse(readFileSync(file, 'utf8')));
      expect(validate(schema, merged)).toEqual([]);
    },
  );
});

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
