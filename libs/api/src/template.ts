/**
 * `{{ path }}` and `${path}` placeholders over a context object, as used in provider argsTemplate/envTemplate,
 * branch templates and implementation text. Paths are dotted (`agentRun.name`, `parameters.branch`); a missing
 * value renders as an empty string; objects render as JSON.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}|\$\{([A-Za-z_][\w.-]*)\}/g;

export function lookupPath(context: unknown, path: string): unknown {
  let node: unknown = context;
  for (const part of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

export function renderTemplate(template: string, context: unknown): string {
  return template.replace(PLACEHOLDER, (_m, a: string | undefined, b: string | undefined) => {
    const value = lookupPath(context, (a ?? b)!);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** The first malformed placeholder of a template (an opening `{{` without a valid path and `}}`), if any. */
export function templateError(template: string): string | undefined {
  const stripped = template.replace(PLACEHOLDER, '');
  const open = stripped.indexOf('{{');
  if (open >= 0) return `malformed placeholder near "${stripped.slice(open, open + 30)}": expected {{ dotted.path }}`;
  const close = stripped.indexOf('}}');
  if (close >= 0) return `unbalanced "}}" near "${stripped.slice(Math.max(0, close - 20), close + 2)}"`;
  return undefined;
}
