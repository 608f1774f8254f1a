// Offline kubeconform: JSON schemas of the built-in kinds converted from the live API server's OpenAPI v2 document,
// plus schemas of our CRDs from libs/api. Nothing is downloaded.
import { DEFINITIONS, toJsonSchema } from '@agents/api';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

type Json = Record<string, unknown>;

interface Gvk {
  group: string;
  version: string;
  kind: string;
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

/**
 * Rewrites one OpenAPI v2 schema node for kubeconform: `$ref`s point into `_definitions.json`, objects with declared
 * properties reject unknown keys (what the standalone-strict schemas of kubernetes-json-schema do), and nothing else
 * changes.
 */
function convert(node: unknown, refPrefix: string): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, refPrefix));
  if (node === null || typeof node !== 'object') return node;
  const src = node as Json;
  const out: Json = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace('#/definitions/', `${refPrefix}#/definitions/`);
    else if (k === 'properties')
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([pk, pv]) => [pk, convert(pv, refPrefix)]));
    else out[k] = convert(v, refPrefix);
  }
  if (src.properties && out.additionalProperties === undefined && !src['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}` for a GVK: `deployment-apps-v1`, `service-v1`. */
export function builtinSchemaName({ group, version, kind }: Gvk): string {
  const suffix = group === '' ? `-${version}` : `-${group.split('.')[0]}-${version}`;
  return `${kind.toLowerCase()}${suffix}.json`.toLowerCase();
}

/** Writes schemas for every built-in kind of the API server into `dir` (one file per kind + `_definitions.json`). */
export function writeBuiltinSchemas(dir: string): number {
  const raw = execFileSync('kubectl', ['get', '--raw', '/openapi/v2'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  const definitions = (JSON.parse(raw) as { definitions: Record<string, Json> }).definitions;
  const builtins = Object.fromEntries(Object.entries(definitions).filter(([name]) => name.startsWith('io.k8s.')));
  const converted: Record<string, unknown> = {};
  for (const [name, def] of Object.entries(builtins)) converted[name] = convert(def, '');
  // int-or-string and Quantity are `type: string` with a format in OpenAPI v2; manifests use numbers too.
  converted[INT_OR_STRING] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  converted[QUANTITY] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, '_definitions.json'), JSON.stringify({ definitions: converted }));
  let files = 0;
  for (const def of Object.values(builtins)) {
    for (const gvk of (def['x-kubernetes-group-version-kind'] as Gvk[] | undefined) ?? []) {
      const schema = {
        $schema: 'http://json-schema.org/draft-07/schema#',
        ...(convert(def, '_definitions.json') as Json),
      };
      writeFileSync(path.join(dir, builtinSchemaName(gvk)), JSON.stringify(schema));
      files++;
    }
  }
  return files;
}

/** Writes schemas of our CRDs in libs/api's layout: `<group>/<kind>_<version>.json`. */
export function writeCrdSchemas(dir: string): void {
  for (const def of DEFINITIONS) {
    const groupDir = path.join(dir, def.info.group);
    mkdirSync(groupDir, { recursive: true });
    writeFileSync(
      path.join(groupDir, `${def.info.kind.toLowerCase()}_${def.info.version}.json`),
      JSON.stringify(toJsonSchema(def)),
    );
  }
}

export interface Kubeconform {
  /** Validates files (or `-` with `stdin`); `skip` lists kinds without a schema here. */
  run(files: string[], options?: { stdin?: string; skip?: string[] }): { status: number; out: string };
}

/** Generates both schema sets once into a temporary directory and returns a runner over them. */
export function offlineKubeconform(): Kubeconform {
  const root = mkdtempSync(path.join(tmpdir(), 'agents-kubeconform-'));
  writeBuiltinSchemas(path.join(root, 'builtin'));
  writeCrdSchemas(path.join(root, 'crds'));
  return {
    run(files, options = {}) {
      const args = [
        '-strict',
        '-summary',
        '-schema-location',
        `${root}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
        '-schema-location',
        `${root}/builtin/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
        ...(options.skip?.length ? ['-skip', options.skip.join(',')] : []),
        ...files,
      ];
      const res = spawnSync('kubeconform', args, { encoding: 'utf8', input: options.stdin, maxBuffer: 64 << 20 });
      if (res.error) throw new Error(`kubeconform could not be run (eval "$(hack/cluster/env)"): ${res.error}`);
      return { status: res.status ?? -1, out: `${res.stdout}${res.stderr}` };
    },
  };
}
