import { ValidateBy, type ValidationOptions } from 'class-validator';

/** Splits a JSON array of strings or a comma-separated list; undefined when the text is neither. */
export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return [];
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((v) => typeof v === 'string'))
        return parsed.map((v) => v.trim()).filter(Boolean);
      return undefined;
    } catch {
      return undefined;
    }
  }
  return text
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}

/** Parses JSON text, undefined when it is not valid JSON. */
export function parseJson(value: string | undefined): unknown {
  if (value === undefined || value.trim() === '') return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** A JSON array of strings or a comma-separated list. */
export function IsList(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isList',
      validator: {
        validate: (v: unknown) => v === undefined || (typeof v === 'string' && parseList(v) !== undefined),
        defaultMessage: (a) => `${a?.property} must be a JSON array of strings or a comma-separated list`,
      },
    },
    options,
  );
}

/** JSON of the given shape ('object' or 'array'). */
export function IsJsonOf(shape: 'object' | 'array', options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isJsonOf',
      validator: {
        validate: (v: unknown) => {
          if (v === undefined || v === '') return true;
          const parsed = typeof v === 'string' ? parseJson(v) : undefined;
          return shape === 'array'
            ? Array.isArray(parsed)
            : !!parsed && typeof parsed === 'object' && !Array.isArray(parsed);
        },
        defaultMessage: (a) => `${a?.property} must be a JSON ${shape}`,
      },
    },
    options,
  );
}

/** "true"/"false" (also 1/0, yes/no, on/off). */
export function IsBooleanText(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isBooleanText',
      validator: {
        validate: (v: unknown) => typeof v === 'boolean' || (typeof v === 'string' && parseBoolean(v) !== undefined),
        defaultMessage: (a) => `${a?.property} must be true or false (also 1/0, yes/no, on/off)`,
      },
    },
    options,
  );
}

export function parseBoolean(v: string | boolean | undefined): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(t)) return true;
  if (['0', 'false', 'no', 'off'].includes(t)) return false;
  return undefined;
}
