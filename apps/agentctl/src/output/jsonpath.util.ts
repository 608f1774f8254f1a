// The JSONPath subset of CRD printer columns: .a.b, ['a.b'], [0], [*], [?(@.type=="Ready")] (== and !=).

type Step =
  | { type: 'field'; name: string }
  | { type: 'index'; index: number }
  | { type: 'wildcard' }
  | { type: 'filter'; path: Step[]; op: '==' | '!='; value: unknown };

const IDENT = /^[A-Za-z_$][\w$-]*/;

function parseLiteral(text: string, path: string): unknown {
  const t = text.trim();
  const quoted = /^(["'])(.*)\1$/.exec(t);
  if (quoted) return quoted[2];
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  throw new Error(`unsupported literal ${t} in JSONPath ${path}`);
}

/** Parses a path such as `.status.conditions[?(@.type=="Ready")].status` (braces `{…}` allowed). */
export function parseJsonPath(path: string): Step[] {
  let rest = path.trim().replace(/^\{(.*)\}$/, '$1');
  if (rest.startsWith('$')) rest = rest.slice(1);
  const steps: Step[] = [];
  while (rest.length) {
    if (rest.startsWith('.')) {
      const m = IDENT.exec(rest.slice(1));
      if (!m) throw new Error(`expected a field name at '${rest}' in JSONPath ${path}`);
      steps.push({ type: 'field', name: m[0] });
      rest = rest.slice(1 + m[0].length);
      continue;
    }
    if (rest.startsWith('[?(')) {
      const end = rest.indexOf(')]');
      if (end < 0) throw new Error(`unclosed filter in JSONPath ${path}`);
      const expr = rest.slice(3, end);
      const m = /^@((?:\.[A-Za-z_$][\w$-]*)+)\s*(==|!=)\s*(.+)$/.exec(expr.trim());
      if (!m) throw new Error(`unsupported filter '${expr}' in JSONPath ${path}`);
      steps.push({
        type: 'filter',
        path: parseJsonPath(m[1]!),
        op: m[2] as '==' | '!=',
        value: parseLiteral(m[3]!, path),
      });
      rest = rest.slice(end + 2);
      continue;
    }
    const bracket = /^\[\s*(\*|-?\d+|'[^']*'|"[^"]*")\s*\]/.exec(rest);
    if (bracket) {
      const inner = bracket[1]!;
      if (inner === '*') steps.push({ type: 'wildcard' });
      else if (/^-?\d+$/.test(inner)) steps.push({ type: 'index', index: Number(inner) });
      else steps.push({ type: 'field', name: inner.slice(1, -1) });
      rest = rest.slice(bracket[0].length);
      continue;
    }
    throw new Error(`unsupported JSONPath syntax at '${rest}' in ${path}`);
  }
  return steps;
}

function apply(values: unknown[], steps: Step[]): unknown[] {
  let current = values;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || v === undefined) continue;
      switch (step.type) {
        case 'field':
          if (typeof v === 'object' && !Array.isArray(v) && step.name in v) {
            next.push((v as Record<string, unknown>)[step.name]);
          }
          break;
        case 'index':
          if (Array.isArray(v)) {
            const item = v.at(step.index);
            if (item !== undefined) next.push(item);
          }
          break;
        case 'wildcard':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object') next.push(...Object.values(v));
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const item of v) {
              const got = apply([item], step.path);
              const equal = got.some((g) => g === step.value);
              if (step.op === '==' ? equal : got.length > 0 && !equal) next.push(item);
            }
          }
          break;
      }
    }
    current = next;
  }
  return current;
}

/** Every value the path selects in `obj` (none when a step finds nothing). */
export function evaluateJsonPath(obj: unknown, path: string | Step[]): unknown[] {
  return apply([obj], typeof path === 'string' ? parseJsonPath(path) : path).filter((v) => v !== undefined);
}
