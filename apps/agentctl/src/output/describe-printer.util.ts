// `agentctl describe`: identity, status summary, spec summary and the conditions table.
import { stringify } from 'yaml';
import type { KubeObj } from '../resources/kube-object.js';
import type { ResourceKind } from '../resources/resource-kinds.js';
import { age } from './age.util.js';
import { formatFields, formatTable } from './table.util.js';

const MAX_STRING = 120;

/** Shortens long and multi-line strings so a summary stays readable. */
export function abbreviate(value: unknown): unknown {
  if (typeof value === 'string') {
    const firstLine = value.split('\n')[0] ?? '';
    const cut = firstLine.length > MAX_STRING ? firstLine.slice(0, MAX_STRING) : firstLine;
    const hidden = value.length - cut.length;
    return hidden > 0 ? `${cut}… (${hidden} more characters)` : value;
  }
  if (Array.isArray(value)) return value.map(abbreviate);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, abbreviate(v)]));
  }
  return value;
}

function yamlBlock(value: unknown, indent: string): string[] {
  return stringify(abbreviate(value), { lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => `${indent}${l}`);
}

function mapLines(m: Record<string, string> | undefined): string {
  const entries = Object.entries(m ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(', ') : '<none>';
}

function when(ts: unknown, now: Date): string {
  return typeof ts === 'string' && ts ? `${ts} (${age(ts, now)} ago)` : '<unknown>';
}

export function describeResource(kind: ResourceKind, obj: KubeObj, now: Date): string[] {
  const md = obj.metadata ?? {};
  const status = obj.status ?? {};
  const fields: [string, string][] = [
    ['Name', md.name ?? ''],
    ['Namespace', md.namespace ?? ''],
    ['Kind', `${obj.kind ?? kind.info.kind} (${obj.apiVersion ?? kind.info.apiVersion})`],
    ['Labels', mapLines(md.labels)],
    ['Annotations', mapLines(md.annotations)],
    ['Created', when(md.creationTimestamp, now)],
  ];
  if (md.uid) fields.push(['UID', md.uid]);
  if (typeof status.phase === 'string') fields.push(['Phase', status.phase]);
  if (typeof status.reason === 'string') fields.push(['Reason', status.reason]);
  if (typeof status.message === 'string') fields.push(['Message', String(abbreviate(status.message))]);
  for (const key of ['startedAt', 'finishedAt'] as const) {
    if (typeof status[key] === 'string')
      fields.push([key === 'startedAt' ? 'Started' : 'Finished', when(status[key], now)]);
  }
  const lines = formatFields(fields);

  lines.push('Spec:');
  lines.push(...(obj.spec && Object.keys(obj.spec).length ? yamlBlock(obj.spec, '  ') : ['  <none>']));

  const { conditions, phase: _p, reason: _r, message: _m, startedAt: _s, finishedAt: _f, ...restStatus } = status;
  if (Object.keys(restStatus).length) {
    lines.push('Status:');
    lines.push(...yamlBlock(restStatus, '  '));
  }

  lines.push('Conditions:');
  if (!conditions?.length) {
    lines.push('  <none>');
  } else {
    const rows = conditions.map((c) => [
      c.type ?? '',
      c.status ?? '',
      c.reason ?? '',
      age(c.lastTransitionTime, now),
      String(abbreviate(c.message ?? '')),
    ]);
    lines.push(...formatTable(['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], rows).map((l) => `  ${l}`));
  }
  return lines;
}
