// Objects as a table (the kind's printer columns), JSON or YAML.
import type { OutputFormat } from '../config/settings.js';
import { nameOf, type KubeObj } from '../resources/kube-object.js';
import type { ResourceKind } from '../resources/resource-kinds.js';
import { age } from './age.util.js';
import { asList, toJson, toYaml } from './format.util.js';
import { evaluateJsonPath } from './jsonpath.util.js';
import { formatTable } from './table.util.js';

function cell(value: unknown, type: string, now: Date): string {
  if (type === 'date') return age(value, now);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** NAME, the printer columns (wide-only ones left out), AGE from metadata.creationTimestamp. */
export function resourceTable(kind: ResourceKind, objects: readonly KubeObj[], now: Date): string[] {
  const columns = kind.printerColumns.filter((c) => !c.priority && c.jsonPath !== '.metadata.creationTimestamp');
  const header = ['NAME', ...columns.map((c) => c.name.toUpperCase()), 'AGE'];
  const rows = objects.map((obj) => [
    nameOf(obj),
    ...columns.map((c) =>
      evaluateJsonPath(obj, c.jsonPath)
        .map((v) => cell(v, c.type, now))
        .join(','),
    ),
    age(obj.metadata?.creationTimestamp, now),
  ]);
  return formatTable(header, rows);
}

/** Lines to print for objects: a table, one JSON/YAML object (`single`), or a List. */
export function printResources(
  format: OutputFormat,
  kind: ResourceKind,
  objects: readonly KubeObj[],
  opts: { now: Date; single?: boolean },
): string[] {
  const doc = opts.single && objects.length === 1 ? objects[0] : asList(objects);
  switch (format) {
    case 'json':
      return [toJson(doc)];
    case 'yaml':
      return [toYaml(doc)];
    case 'table':
      return resourceTable(kind, objects, opts.now);
  }
}

/** One object for a stream of them (watch): compact JSON per line, or YAML documents. */
export function printStreamed(format: 'json' | 'yaml', obj: unknown): string {
  return format === 'json' ? JSON.stringify(obj) : `---\n${toYaml(obj)}`;
}
