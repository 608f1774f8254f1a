/**
 * fast-check arbitraries driven by our CRD schemas: `validValue` generates objects the schema (and the CEL rules'
 * TypeScript mirrors) accept; `mutations` lists ways to break one generated object at a known field path.
 * Covers exactly the schema vocabulary of src/schema/dsl.ts.
 */
import fc from 'fast-check';
import { RULES, type Rule } from '../src/index.js';

type Schema = Record<string | symbol, unknown> & {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: string[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  default?: unknown;
};

const WORD = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
const KEY = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,8}$/);
const SMALL_JSON = fc.dictionary(KEY, fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean()), {
  maxKeys: 3,
});

function rulesOf(schema: Schema): Rule[] {
  return (schema[RULES] as Rule[] | undefined) ?? [];
}

function stringArb(s: Schema): fc.Arbitrary<string> {
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.format === 'date-time')
    return fc
      .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (s.format === 'uri') return WORD.map((w) => `https://example.com/${w}`);
  const max = Math.min(s.maxLength ?? 24, 24);
  const min = s.minLength ?? 0;
  if (s.pattern)
    return fc
      .stringMatching(new RegExp(s.pattern))
      .filter((v) => v.length >= min && v.length <= (s.maxLength ?? Infinity))
      .map((v) => v.slice(0, s.maxLength));
  return fc.string({ minLength: min, maxLength: Math.max(min, max) });
}

/** An arbitrary of values `s` accepts. */
export function validValue(s: Schema): fc.Arbitrary<unknown> {
  let arb: fc.Arbitrary<unknown>;
  if (s['x-kubernetes-int-or-string']) {
    arb = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), WORD);
  } else if (s.type === 'object' && s.properties) {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [k, v] of Object.entries(s.properties)) shape[k] = validValue(v);
    arb = fc.record(shape, { requiredKeys: (s.required ?? []) as never[] });
  } else if (s.type === 'object' && typeof s.additionalProperties === 'object') {
    arb = fc.dictionary(KEY, validValue(s.additionalProperties), { maxKeys: Math.min(s.maxProperties ?? 3, 3) });
  } else if (s.type === 'object') {
    arb = SMALL_JSON;
  } else if (s.type === 'array' && s.items) {
    const listKeys = s['x-kubernetes-list-map-keys'] as string[] | undefined;
    const item = validValue(s.items);
    const bounds = { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) };
    arb = listKeys
      ? fc.uniqueArray(item, {
          ...bounds,
          selector: (v) => JSON.stringify(listKeys.map((k) => (v as Record<string, unknown>)[k])),
        })
      : fc.array(item, bounds);
  } else if (s.type === 'string') {
    arb = stringArb(s);
  } else if (s.type === 'integer') {
    const bound32 = s.format === 'int32' ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
    arb = fc.integer({ min: s.minimum ?? -1000, max: Math.min(s.maximum ?? bound32, bound32) });
  } else if (s.type === 'boolean') {
    arb = fc.boolean();
  } else {
    throw new Error(`schema node not covered by the arbitrary: ${JSON.stringify(s).slice(0, 120)}`);
  }
  const rules = rulesOf(s);
  return rules.length ? arb.filter((v) => rules.every((r) => r.holds(v as Record<string, unknown>))) : arb;
}

export interface Mutation {
  /** The field path the API server must name, e.g. spec.workflow.steps[0].name. */
  path: string;
  what: string;
  apply: (root: Record<string, unknown>) => void;
}

type Container = Record<string, unknown> | unknown[];

function setAt(root: Record<string, unknown>, at: (string | number)[], value: unknown): void {
  let node: Container = root;
  for (const key of at.slice(0, -1)) node = (node as Record<string, Container>)[key as string] as Container;
  (node as Record<string, unknown>)[at[at.length - 1] as string] = value;
}

function deleteAt(root: Record<string, unknown>, at: (string | number)[]): void {
  let node: Container = root;
  for (const key of at.slice(0, -1)) node = (node as Record<string, Container>)[key as string] as Container;
  delete (node as Record<string, unknown>)[at[at.length - 1] as string];
}

function pathString(at: (string | number)[]): string {
  return at.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}

/** Every way to make `value` (accepted by `s`, found at `at`) invalid at a definite field path. */
export function mutations(s: Schema, value: unknown, at: (string | number)[]): Mutation[] {
  const out: Mutation[] = [];
  const path = pathString(at);
  const add = (what: string, apply: (root: Record<string, unknown>) => void, p = path) =>
    out.push({ path: p, what, apply });
  if (s['x-kubernetes-int-or-string']) {
    add('a boolean where an int-or-string belongs', (r) => setAt(r, at, true));
    return out;
  }
  if (s.type === 'object' && s.properties && value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    add('a string where an object belongs', (r) => setAt(r, at, 'not-an-object'));
    for (const req of s.required ?? []) {
      add(`required ${req} removed`, (r) => deleteAt(r, [...at, req]), pathString([...at, req]));
    }
    if (!s['x-kubernetes-preserve-unknown-fields']) {
      add('an unknown field', (r) => setAt(r, [...at, 'unknownField'], 'x'), pathString([...at, 'unknownField']));
    }
    for (const [k, child] of Object.entries(s.properties)) {
      if (obj[k] !== undefined) out.push(...mutations(child, obj[k], [...at, k]));
    }
  } else if (s.type === 'object' && typeof s.additionalProperties === 'object' && value && typeof value === 'object') {
    add('an array where a map belongs', (r) => setAt(r, at, ['x']));
    if (s.maxProperties !== undefined) {
      const over = Object.fromEntries(Array.from({ length: s.maxProperties + 1 }, (_, i) => [`k${i}`, 'v']));
      add(`more than ${s.maxProperties} entries`, (r) => setAt(r, at, over));
    }
    if (s.additionalProperties.type === 'string') {
      const key = Object.keys(value as object)[0] ?? 'k';
      add('a number as a map value', (r) => setAt(r, [...at, key], 7), pathString([...at, key]));
    }
  } else if (s.type === 'array' && Array.isArray(value)) {
    add('a string where a list belongs', (r) => setAt(r, at, 'not-a-list'));
    if (s.maxItems !== undefined && s.maxItems <= 300 && value.length > 0) {
      add(`more than ${s.maxItems} items`, (r) =>
        setAt(
          r,
          at,
          Array.from({ length: s.maxItems! + 1 }, () => structuredClone(value[0])),
        ),
      );
    }
    value.forEach((item, i) => s.items && out.push(...mutations(s.items, item, [...at, i])));
  } else if (s.type === 'string') {
    add('a number where a string belongs', (r) => setAt(r, at, 12345));
    if (s.enum) add('a value outside the enum', (r) => setAt(r, at, 'NotAnAllowedValue'));
    if (s.maxLength !== undefined) add(`longer than ${s.maxLength}`, (r) => setAt(r, at, 'x'.repeat(s.maxLength! + 1)));
    if (s.minLength) add('empty', (r) => setAt(r, at, ''));
  } else if (s.type === 'integer') {
    add('a string where an integer belongs', (r) => setAt(r, at, 'seven'));
    if (s.minimum !== undefined) add(`below ${s.minimum}`, (r) => setAt(r, at, s.minimum! - 1));
    if (s.maximum !== undefined) add(`above ${s.maximum}`, (r) => setAt(r, at, s.maximum! + 1));
  } else if (s.type === 'boolean') {
    add('a string where a boolean belongs', (r) => setAt(r, at, 'yes'));
  }
  return out;
}
