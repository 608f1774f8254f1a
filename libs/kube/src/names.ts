import { createHash } from 'node:crypto';

const MAX_NAME = 63;

/**
 * A deterministic child name: lower-cased, every character outside `[a-z0-9-]` replaced by `-`, parts joined with
 * `-`, dashes trimmed. Longer than 63 characters, it is cut and suffixed with `-` + the first 8 hex of the SHA-1 of
 * the full name, so distinct long inputs stay distinct and the same input always gives the same name.
 */
export function makeName(...parts: string[]): string {
  const full = parts
    .map((p) => p.toLowerCase().replace(/[^a-z0-9-]/g, '-'))
    .join('-')
    .replace(/^-+|-+$/g, '');
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha1').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_NAME - 9).replace(/-+$/, '')}-${hash}`;
}

/**
 * A label value from arbitrary text: lower-cased, characters outside `[a-z0-9._-]` replaced by `-`, trimmed to start
 * and end alphanumeric, at most 63 characters; `unknown` when nothing is left.
 */
export function normalizeLabelValue(value: string | undefined): string {
  const cleaned = (value ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '-')
    .slice(0, MAX_NAME)
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return cleaned || 'unknown';
}
