/** Whether `value` matches a pattern where `*` stands for any run of characters (and nothing else is special). */
export function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

export const matchesAny = (patterns: readonly string[], value: string): boolean =>
  patterns.some((p) => globMatch(p, value));
