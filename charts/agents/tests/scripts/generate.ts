// The generated files of the chart, through hack/chart-gen:
//   - README.md from README.md.gotmpl, the `# --` comments of values.yaml, the types of values.schema.json and the
//     env mapping in tests/env-mapping.yaml;
//   - the `artifacthub.io/crds` and `artifacthub.io/crdsExamples` annotations of Chart.yaml, from crds/ and examples/.
//   hack/chart-gen           rewrite them
//   hack/chart-gen --check   exit 1 when one is out of date
// Runs on Node 24 directly (type stripping): no relative imports, only `yaml` and node built-ins.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parse, parseDocument, stringify, type Pair, type YAMLMap } from 'yaml';

export const CHART_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ValueDoc {
  /** Dotted path of the key, e.g. `controlPlane.image.tag`. */
  key: string;
  /** The `# --` text. */
  description: string;
  /** The `# @default --` text, when the default is computed by the templates. */
  defaultText?: string;
  /** The value in values.yaml. */
  value: unknown;
  /** True when the key's children are documented one by one (a section, not a row). */
  section: boolean;
}

/** The `# --` comment of a key: its last paragraph that starts with `--`. */
function parseComment(raw: string | null | undefined): { description?: string; defaultText?: string } {
  if (!raw) return {};
  const lines = raw.split('\n').map((l) => l.replace(/^ /, ''));
  const start = lines.map((l) => l.startsWith('-- ')).lastIndexOf(true);
  if (start < 0) return {};
  const description: string[] = [];
  let defaultText: string | undefined;
  for (const line of lines.slice(start)) {
    const d = /^@default -- (.*)$/.exec(line);
    if (d) defaultText = d[1];
    else if (line.trim() !== '') description.push(line.replace(/^-- /, '').trim());
  }
  return { description: description.join(' '), defaultText };
}

function keyName(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

/**
 * Every documented key of values.yaml, in file order. A map is a section (recursed into) when at least one child has
 * a `# --` comment; otherwise it is one row whose default is the whole object (Kubernetes pass-through objects).
 */
export function valueDocs(valuesYaml: string): ValueDoc[] {
  const doc = parseDocument(valuesYaml);
  const out: ValueDoc[] = [];
  const walk = (map: YAMLMap, prefix: string) => {
    map.items.forEach((item, i) => {
      const pair = item as Pair;
      const key = prefix + keyName(pair);
      const raw = [i === 0 ? map.commentBefore : undefined, (pair.key as { commentBefore?: string })?.commentBefore]
        .filter(Boolean)
        .join('\n');
      const { description, defaultText } = parseComment(raw);
      const child = pair.value;
      const documentedChildren =
        isMap(child) &&
        child.items.some((c, j) => {
          const r = [j === 0 ? child.commentBefore : undefined, (c.key as { commentBefore?: string })?.commentBefore];
          return r.some((x) => parseComment(x).description !== undefined);
        });
      out.push({
        key,
        description: description ?? '',
        defaultText,
        value: child && (isMap(child) || isSeq(child) || isScalar(child)) ? child.toJSON() : null,
        section: Boolean(documentedChildren),
      });
      if (documentedChildren) walk(child as YAMLMap, `${key}.`);
    });
  };
  walk(doc.contents as YAMLMap, '');
  return out;
}

type Schema = {
  type?: string | string[];
  anyOf?: Schema[];
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  'x-agents-alias-of'?: string;
};

/** The schema node of a dotted values path. */
export function schemaAt(schema: Schema, key: string): Schema | undefined {
  let node: Schema | undefined = schema;
  for (const part of key.split('.')) node = node?.properties?.[part];
  return node;
}

function typeOf(node: Schema | undefined): string {
  if (!node) return '';
  if (node.anyOf) return [...new Set(node.anyOf.map(typeOf))].join(' or ');
  const t = Array.isArray(node.type) ? node.type.join(' or ') : (node.type ?? '');
  if (t === 'array' && node.items) return `list of ${typeOf(node.items)}`;
  if (node.enum) return `${t} (${node.enum.map((e) => JSON.stringify(e)).join(', ')})`;
  return t;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function valuesTable(valuesYaml: string, schema: Schema): string {
  const rows = valueDocs(valuesYaml)
    .filter((d) => !d.section)
    .map((d) => {
      const def = d.defaultText ?? `\`${JSON.stringify(d.value)}\``;
      return `| \`${d.key}\` | ${cell(typeOf(schemaAt(schema, d.key)))} | ${cell(def)} | ${cell(d.description)} |`;
    });
  return ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export interface EnvRow {
  env: string;
  values: string;
  doc: string;
  set?: Record<string, unknown>;
  want: Record<string, unknown>;
}

export function envRows(mappingYaml: string): EnvRow[] {
  return parse(mappingYaml) as EnvRow[];
}

export function envTable(mappingYaml: string): string {
  const rows = envRows(mappingYaml).map((r) => {
    const components = ['control-plane', 'controllers'].filter((c) => c in r.want).join(', ');
    const values =
      r.values === '-'
        ? '—'
        : r.values
            .split(', ')
            .map((v) => `\`${v}\``)
            .join(', ');
    return `| \`${r.env}\` | ${cell(values)} | ${components} | ${cell(r.doc)} |`;
  });
  return ['| Env var | From values | Component | Rendered as |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The top-level keys of the reference chart's layout and the controlPlane.* key each one stands for. */
export function aliasesTable(schema: Schema): string {
  const rows = Object.entries(schema.properties ?? {})
    .filter(([, node]) => node['x-agents-alias-of'])
    .map(([key, node]) => `| \`${key}\` | \`${node['x-agents-alias-of']}\` |`);
  return ['| Top-level key | Stands for |', '| --- | --- |', ...rows].join('\n');
}

/** The README for the chart directory's current files. */
export function renderReadme(chartDir = CHART_DIR): string {
  const read = (f: string) => readFileSync(path.join(chartDir, f), 'utf8');
  const chart = parse(read('Chart.yaml')) as { version: string; appVersion: string; kubeVersion: string };
  const schema = JSON.parse(read('values.schema.json')) as Schema;
  const values = read('values.yaml');
  const replacements: Record<string, string> = {
    '{{ chart.version }}': chart.version,
    '{{ chart.appVersion }}': chart.appVersion,
    '{{ chart.kubeVersion }}': chart.kubeVersion,
    '{{ values.table }}': valuesTable(values, schema),
    '{{ env.table }}': envTable(read('tests/env-mapping.yaml')),
    '{{ aliases.table }}': aliasesTable(schema),
  };
  let out = read('README.md.gotmpl');
  for (const [k, v] of Object.entries(replacements)) out = out.split(k).join(v);
  const left = /\{\{ [a-zA-Z.]+ \}\}/.exec(out);
  if (left) throw new Error(`README.md.gotmpl: unknown placeholder ${left[0]}`);
  return out;
}

interface Crd {
  metadata: { name: string };
  spec: {
    names: { kind: string };
    versions: { name: string; schema: { openAPIV3Schema: { description?: string } } }[];
  };
}

/** The example file embedded in crdsExamples for a kind: `<kind>.yaml`, or the job AgentRun. */
const EXAMPLE_FILE: Record<string, string> = { AgentRun: 'agentrun-job.yaml' };

/** `artifacthub.io/crds`: every CRD of crds/ (kind, version, name, display name, description). */
export function crdsAnnotation(chartDir = CHART_DIR): unknown[] {
  const dir = path.join(chartDir, 'crds');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => parse(readFileSync(path.join(dir, f), 'utf8')) as Crd)
    .map((crd) => {
      const kind = crd.spec.names.kind;
      const version = crd.spec.versions[0];
      return {
        kind,
        version: version?.name,
        name: crd.metadata.name,
        displayName: kind.replace(/([a-z])([A-Z])/g, '$1 $2'),
        description: version?.schema.openAPIV3Schema.description ?? kind,
      };
    })
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
}

/** The order of libs/api's ALL_KINDS (Artifact Hub shows the CRDs in this order). */
const KIND_ORDER = [
  'Agent',
  'AgentRun',
  'AgentProvider',
  'ImplementationSpec',
  'ImplementationSource',
  'VersionControlProvider',
  'Memory',
  'Orchestration',
  'OrchestrationRun',
  'ApprovalPolicy',
  'Budget',
  'SecretBinding',
  'Signal',
  'SignalDelivery',
  'Tool',
  'ToolRun',
  'Schedule',
  'Artifact',
  'Workspace',
];

/** `artifacthub.io/crdsExamples`: one object of examples/ per CRD kind. */
export function crdsExamplesAnnotation(chartDir = CHART_DIR): unknown[] {
  return crdsAnnotation(chartDir).map((c) => {
    const kind = (c as { kind: string }).kind;
    const file = EXAMPLE_FILE[kind] ?? `${kind.toLowerCase()}.yaml`;
    return parse(readFileSync(path.join(chartDir, 'examples', file), 'utf8')) as unknown;
  });
}

/** Replaces the block scalar of one annotation in Chart.yaml's text (the rest of the file is kept byte for byte). */
function replaceAnnotation(text: string, name: string, value: unknown): string {
  const header = `  ${name}: |\n`;
  const start = text.indexOf(header);
  if (start < 0) throw new Error(`Chart.yaml has no block annotation ${name}`);
  const bodyStart = start + header.length;
  const rest = text.slice(bodyStart);
  const next = rest.search(/^(?! {4}|$)/m);
  const bodyEnd = next < 0 ? text.length : bodyStart + next;
  const body = stringify(value, { lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => (l ? `    ${l}` : l))
    .join('\n');
  return `${text.slice(0, bodyStart)}${body}\n${text.slice(bodyEnd)}`;
}

/** Chart.yaml with its generated annotations brought up to date. */
export function renderChartYaml(chartDir = CHART_DIR): string {
  let text = readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8');
  text = replaceAnnotation(text, 'artifacthub.io/crds', crdsAnnotation(chartDir));
  text = replaceAnnotation(text, 'artifacthub.io/crdsExamples', crdsExamplesAnnotation(chartDir));
  return text;
}

/**
 * templates/_defaults.tpl: the defaults of controlPlane.* and controllers.* as JSON, which _values.tpl compares the
 * user's values with (Helm hands templates the merged values only, and values.yaml is not one of `.Files`).
 */
export function renderDefaultsTpl(chartDir = CHART_DIR): string {
  const values = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const defaults = JSON.stringify({ controlPlane: values.controlPlane, controllers: values.controllers });
  // JSON never puts two braces in a row outside strings, so `{{` can only come from a string default.
  if (defaults.includes('{{')) {
    throw new Error('values.yaml: controlPlane/controllers defaults may not contain "{{" (they go into a template)');
  }
  return [
    '{{/* Generated by hack/chart-gen from values.yaml (the defaults _values.tpl compares with); do not edit. */}}',
    '{{- define "agents.defaults" -}}',
    defaults,
    '{{- end -}}',
    '',
  ].join('\n');
}

/** Every generated file: path relative to the chart → wanted content. */
export function generatedFiles(chartDir = CHART_DIR): Record<string, string> {
  return {
    'Chart.yaml': renderChartYaml(chartDir),
    'README.md': renderReadme(chartDir),
    'templates/_defaults.tpl': renderDefaultsTpl(chartDir),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Chart.yaml first: the README reads its version.
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const file of ['Chart.yaml', 'README.md', 'templates/_defaults.tpl']) {
    const target = path.join(CHART_DIR, file);
    const want = generatedFiles()[file]!;
    let have = '';
    try {
      have = readFileSync(target, 'utf8');
    } catch {
      // missing: out of date
    }
    if (have === want) continue;
    if (check) {
      console.error(`charts/agents/${file} is out of date: run hack/chart-gen and commit the result`);
      stale++;
    } else {
      writeFileSync(target, want);
      console.error(`wrote charts/agents/${file}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
