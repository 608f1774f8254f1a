import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';

/** Marks a property whose value must never appear in logs or error messages. */
export const SENSITIVE = Symbol('sensitive');

export function Sensitive(): PropertyDecorator {
  return (target, key) => {
    const keys: Set<string | symbol> = Reflect.getMetadata(SENSITIVE, target) ?? new Set();
    keys.add(key);
    Reflect.defineMetadata(SENSITIVE, keys, target);
  };
}

export interface EnvViolation {
  variable: string;
  value: string | undefined;
  expected: string[];
}

/** Thrown once at start with every invalid variable, so an operator fixes them all in one go. */
export class EnvConfigError extends Error {
  constructor(
    readonly app: string,
    readonly violations: EnvViolation[],
  ) {
    super(
      `${app}: invalid configuration (${violations.length} variable${violations.length === 1 ? '' : 's'}):\n` +
        violations
          .map(
            (v) =>
              `  - ${v.variable}=${v.value === undefined ? '<unset>' : JSON.stringify(v.value)}: ${v.expected.join('; ')}`,
          )
          .join('\n'),
    );
    this.name = 'EnvConfigError';
  }
}

/**
 * Reads an environment into a class-validator class (property names are the variable names; defaults are property
 * initialisers), validates it once, and throws one {@link EnvConfigError} listing every bad variable.
 * Only string values are passed in; `@Type(() => Number)` and friends convert them.
 */
export function loadEnvConfig<T extends object>(
  app: string,
  cls: ClassConstructor<T>,
  env: Record<string, string | undefined>,
): T {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const instance = plainToInstance(cls, defined, { exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: true });
  if (errors.length === 0) return instance;
  const sensitive: Set<string | symbol> = Reflect.getMetadata(SENSITIVE, instance) ?? new Set();
  throw new EnvConfigError(
    app,
    errors.flatMap((e) => toViolations(e, sensitive, env)),
  );
}

function toViolations(
  e: ValidationError,
  sensitive: Set<string | symbol>,
  env: Record<string, string | undefined>,
): EnvViolation[] {
  const raw = env[e.property];
  return [
    {
      variable: e.property,
      value: raw === undefined || raw === '' ? undefined : sensitive.has(e.property) ? '<redacted>' : raw,
      expected: Object.values(e.constraints ?? {}),
    },
  ];
}
