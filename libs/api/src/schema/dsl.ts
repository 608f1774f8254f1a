/**
 * The small vocabulary every kind is written in. Each helper returns a TypeBox schema, so one definition gives both
 * the TypeScript type (`Static<typeof X>`) and the structural OpenAPI schema of the CRD — there is no second copy.
 * Helpers only emit what CRD structural schemas accept: no anyOf unions except for int-or-string, maps as
 * `additionalProperties`, schemaless subtrees as `x-kubernetes-preserve-unknown-fields`.
 */
import { Type, type Static, type TObject, type TProperties, type TSchema, type SchemaOptions } from '@sinclair/typebox';

export { Type, type Static, type TSchema };

/** A CEL rule of the CRD together with its TypeScript mirror, used by tests to generate valid objects. */
export interface Rule {
  rule: string;
  message: string;
  /** JSON path, relative to the node, of the field the error is reported on (e.g. `.implementation`). */
  fieldPath?: string;
  reason?: 'FieldValueForbidden' | 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueDuplicate';
  holds: (self: Record<string, unknown>) => boolean;
}

/** Where the TypeScript mirrors of a node's rules are kept; a symbol, so the serialised CRD never carries them. */
export const RULES = Symbol.for('agents.api.rules');

export function withRules<T extends TSchema>(schema: T, rules: Rule[]): T {
  const node = schema as unknown as Record<string | symbol, unknown>;
  node['x-kubernetes-validations'] = rules.map(({ rule, message, fieldPath, reason }) => ({
    rule,
    message,
    ...(fieldPath ? { fieldPath } : {}),
    ...(reason ? { reason } : {}),
  }));
  node[RULES] = rules;
  return schema;
}

export const Obj = <P extends TProperties>(properties: P, options?: SchemaOptions): TObject<P> =>
  Type.Object(properties, options);
export const Opt = Type.Optional;
export const Str = (
  options?: SchemaOptions & { maxLength?: number; minLength?: number; pattern?: string; format?: string },
) => Type.String(options);
export const Bool = (options?: SchemaOptions) => Type.Boolean(options);
export const Int32 = (options?: SchemaOptions & { minimum?: number; maximum?: number }) =>
  Type.Integer({ format: 'int32', ...options });
export const Int64 = (options?: SchemaOptions & { minimum?: number; maximum?: number }) =>
  Type.Integer({ format: 'int64', ...options });
export const DateTime = (options?: SchemaOptions) => Type.String({ format: 'date-time', ...options });
export const List = <T extends TSchema>(items: T, options?: SchemaOptions & { maxItems?: number; minItems?: number }) =>
  Type.Array(items, options);
export const StrList = (options?: SchemaOptions & { maxItems?: number }) => Type.Array(Type.String(), options);

/** One of a fixed set of strings. */
export function Enum<const V extends readonly string[]>(values: V, options?: SchemaOptions) {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** A map of string keys to string values. */
export function StringMap(options?: SchemaOptions & { maxProperties?: number }) {
  return Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' }, ...options });
}

/** A schemaless subtree: any JSON object, stored as given. */
export function Schemaless(options?: SchemaOptions) {
  return Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    ...options,
  });
}

/** An object with known, validated properties that also keeps any other key (a documented open subtree). */
export function OpenObj<P extends TProperties>(properties: P, options?: SchemaOptions) {
  return Type.Unsafe<Static<TObject<P>> & Record<string, unknown>>(
    Type.Object(properties, { ...options, 'x-kubernetes-preserve-unknown-fields': true }),
  );
}

/** An integer or a string (Kubernetes IntOrString). */
export function IntOrString(options?: SchemaOptions) {
  return Type.Unsafe<number | string>({
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    ...options,
  });
}
