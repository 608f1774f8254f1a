// values.schema.json read as a tree: a small validator for the JSON Schema keywords the chart's schema uses (the
// unit tier has no helm), and walkers that relate schema nodes to values.yaml keys.
import { parse } from 'yaml';
import { readChartFile } from './chart.js';

export interface SchemaNode {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  patternProperties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  uniqueItems?: boolean;
  $ref?: string;
  /** A key of the reference chart's layout: the dotted path of the key it stands for. */
  'x-agents-alias-of'?: string;
  /** A key accepted without a default in values.yaml: what it does. */
  'x-agents-schema-only'?: string;
}

/** values.schema.json with every local `$ref` (`#/…`) replaced by the node it points at (siblings kept). */
export function valuesSchema(): SchemaNode {
  const root = JSON.parse(readChartFile('values.schema.json')) as SchemaNode;
  const resolve = (ref: string): unknown => {
    if (!ref.startsWith('#/')) throw new Error(`values.schema.json: only local $refs are supported, got ${ref}`);
    const target = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], root);
    if (target === undefined) throw new Error(`values.schema.json: $ref ${ref} points at nothing`);
    return target;
  };
  const deref = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(deref);
    if (node === null || typeof node !== 'object') return node;
    const { $ref, ...rest } = node as SchemaNode;
    const base = $ref ? (deref(resolve($ref)) as object) : {};
    return { ...base, ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, deref(v)])) };
  };
  return deref(root) as SchemaNode;
}

/** Dotted paths of the keys that stand for another key (`x-agents-alias-of`): top-level and nested. */
export function aliasPaths(schema: SchemaNode): string[] {
  return schemaNodes(schema)
    .filter(({ node }) => node['x-agents-alias-of'])
    .map(({ path }) => path);
}

export function defaultValues(): Record<string, unknown> {
  return parse(readChartFile('values.yaml')) as Record<string, unknown>;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Problems of `value` against `node` as `path: message` lines (empty when valid). */
export function validate(node: SchemaNode, value: unknown, path = ''): string[] {
  const at = path || '(root)';
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) {
    return alternatives.some((alt) => validate(alt, value, path).length === 0)
      ? []
      : [`${at}: matches none of the allowed forms`];
  }
  const errors: string[] = [];
  if (node.type) {
    const allowed = Array.isArray(node.type) ? node.type : [node.type];
    const t = typeOf(value);
    if (!allowed.includes(t) && !(t === 'integer' && allowed.includes('number'))) {
      return [`${at}: got ${t}, want ${allowed.join(' or ')}`];
    }
  }
  if (node.enum && !node.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(node.enum)}`);
  }
  if (typeof value === 'string') {
    if (node.pattern && !new RegExp(node.pattern).test(value)) errors.push(`${at}: does not match ${node.pattern}`);
    if (node.minLength !== undefined && value.length < node.minLength) errors.push(`${at}: shorter than minLength`);
    if (node.maxLength !== undefined && value.length > node.maxLength) errors.push(`${at}: longer than maxLength`);
  }
  if (typeof value === 'number') {
    if (node.minimum !== undefined && value < node.minimum) errors.push(`${at}: below ${node.minimum}`);
    if (node.maximum !== undefined && value > node.maximum) errors.push(`${at}: above ${node.maximum}`);
  }
  if (Array.isArray(value)) {
    if (node.minItems !== undefined && value.length < node.minItems) errors.push(`${at}: fewer than minItems`);
    if (node.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
      errors.push(`${at}: items are not unique`);
    }
    if (node.items) value.forEach((v, i) => errors.push(...validate(node.items!, v, `${path}[${i}]`)));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, unknown>;
    for (const r of node.required ?? []) if (!(r in obj)) errors.push(`${at}: missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      const child = path ? `${path}.${k}` : k;
      const prop =
        node.properties?.[k] ??
        Object.entries(node.patternProperties ?? {}).find(([pattern]) => new RegExp(pattern).test(k))?.[1];
      if (prop) errors.push(...validate(prop, v, child));
      else if (node.additionalProperties === false) errors.push(`${at}: unknown key ${k}`);
      else if (typeof node.additionalProperties === 'object')
        errors.push(...validate(node.additionalProperties, v, child));
    }
  }
  return errors;
}

/** Every schema node with its dotted path (through properties, items, anyOf/oneOf and additionalProperties). */
export function schemaNodes(node: SchemaNode, path = ''): { path: string; node: SchemaNode }[] {
  const out = [{ path, node }];
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push(...schemaNodes(v, path ? `${path}.${k}` : k));
  if (node.items) out.push(...schemaNodes(node.items, `${path}[]`));
  for (const alt of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) out.push(...schemaNodes(alt, path));
  if (typeof node.additionalProperties === 'object') out.push(...schemaNodes(node.additionalProperties, `${path}.*`));
  for (const v of Object.values(node.patternProperties ?? {})) out.push(...schemaNodes(v, `${path}.*`));
  return out;
}

/** Dotted paths of every property the schema declares (objects with `properties` only, not list items). */
export function schemaPropertyPaths(node: SchemaNode, path = ''): string[] {
  return Object.entries(node.properties ?? {}).flatMap(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    return [p, ...schemaPropertyPaths(v, p)];
  });
}

/**
 * Dotted paths of values.yaml keys, descending only into objects the schema declares properties for (pass-through
 * objects such as `resources.requests` or `env.vars` are leaves).
 */
export function valuePaths(values: Record<string, unknown>, node: SchemaNode, path = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) => {
    const p = path ? `${path}.${k}` : k;
    const child = node.properties?.[k];
    const descend = child?.properties && v !== null && typeof v === 'object' && !Array.isArray(v);
    return [p, ...(descend ? valuePaths(v as Record<string, unknown>, child!, p) : [])];
  });
}
