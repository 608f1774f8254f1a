import type { JsonObject } from './crd.js';
import { openApiSchema } from './crd.js';
import type { KindDefinition } from '../schema/object.js';

/**
 * A CRD's OpenAPI schema as a JSON Schema for offline validators (kubeconform). With `strict`, objects with declared
 * properties reject unknown keys (as the API server's pruning would silently drop them), except under
 * preserve-unknown-fields subtrees.
 */
export function toJsonSchema(def: KindDefinition, strict = true): JsonObject {
  const convert = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(convert);
    if (node === null || typeof node !== 'object') return node;
    const src = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(src)) {
      if (k === 'x-kubernetes-validations' || k === 'x-kubernetes-list-type' || k === 'x-kubernetes-list-map-keys')
        continue;
      if (k === 'x-kubernetes-int-or-string') continue;
      out[k] =
        k === 'properties'
          ? Object.fromEntries(Object.entries(v as object).map(([pk, pv]) => [pk, convert(pv)]))
          : convert(v);
    }
    if (
      strict &&
      src.properties &&
      !src['x-kubernetes-preserve-unknown-fields'] &&
      out.additionalProperties === undefined
    ) {
      out.additionalProperties = false;
    }
    if (src.format === 'int32' || src.format === 'int64') delete out.format;
    return out;
  };
  const schema = convert(openApiSchema(def)) as JsonObject;
  // metadata is validated by the API server, not by us.
  (schema.properties as JsonObject).metadata = { type: 'object' };
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...schema };
}
