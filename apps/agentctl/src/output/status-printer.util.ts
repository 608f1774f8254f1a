// `agentctl status`: the control plane's health, readable at a glance.
import type { GetControlPlaneStatusResponse } from '@agents/proto/client';
import { formatFields, formatTable } from './table.util.js';

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const orDash = (s: string | undefined) => (s ? s : '-');

export function describeStatus(s: GetControlPlaneStatusResponse, address: string): string[] {
  const db = s.database;
  const grpc = s.grpc;
  const lines = formatFields([
    ['Control plane', `${s.service || 'unknown'} at ${address}`],
    ['Generated', orDash(s.generatedAt)],
    [
      'Database',
      db
        ? `${orDash(db.status)} (configured: ${yesNo(db.configured)}, connected: ${yesNo(db.connected)}` +
          `${db.connected ? `, latency ${db.latencyMs} ms` : ''})${db.message ? `: ${db.message}` : ''}`
        : 'unknown',
    ],
    [
      'gRPC',
      grpc
        ? `${orDash(grpc.status)} (enabled: ${yesNo(grpc.enabled)}${grpc.address ? `, ${grpc.address}` : ''})` +
          `${grpc.message ? `: ${grpc.message}` : ''}`
        : 'unknown',
    ],
  ]);
  lines.push('', 'Controllers:');
  lines.push(
    ...(s.controllers.length
      ? formatTable(
          ['NAME', 'STATUS', 'ENABLED', 'STARTED', 'CRDS READY', 'MESSAGE'],
          s.controllers.map((c) => [
            c.name,
            orDash(c.status),
            yesNo(c.enabled),
            yesNo(c.started),
            c.crdsReady ? 'yes' : c.missingCrds.length ? `no (missing ${c.missingCrds.join(', ')})` : 'no',
            c.message,
          ]),
        ).map((l) => `  ${l}`)
      : ['  <none>']),
  );
  lines.push('', 'Runtime adapters:');
  lines.push(
    ...(s.runtimeAdapters.length
      ? formatTable(
          ['NAME', 'STATUS', 'AVAILABLE', 'ENDPOINT', 'MESSAGE'],
          s.runtimeAdapters.map((r) => [r.name, orDash(r.status), yesNo(r.available), orDash(r.endpoint), r.message]),
        ).map((l) => `  ${l}`)
      : ['  <none>']),
  );
  lines.push('', 'Namespaces:');
  lines.push(
    ...(s.namespaces.length
      ? formatTable(
          ['NAMESPACE', 'STATUS', 'DEGRADED COMPONENTS'],
          s.namespaces.map((n) => [n.namespace, orDash(n.status), n.degradedComponents.join(', ') || '-']),
        ).map((l) => `  ${l}`)
      : ['  <none>']),
  );
  return lines;
}
