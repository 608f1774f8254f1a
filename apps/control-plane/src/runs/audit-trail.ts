import { Logger } from '@nestjs/common';
import type { AuditEvent, AuditRepository } from './audit.repository.js';

export type { AuditEvent };

/** Where audit events go besides Postgres (`JANGAR_AUDIT_SINK_TYPE`). */
export type AuditSinkConfig =
  | { type: 'none' }
  | { type: 'stdout' }
  | { type: 'http'; url: string; headers: Record<string, string>; timeoutMs: number };

/** The JSON document a sink receives for one event. */
export function auditDocument(e: AuditEvent, at: Date): Record<string, unknown> {
  return {
    type: 'audit',
    occurredAt: at.toISOString(),
    actor: e.actor,
    action: e.action,
    kind: e.kind ?? null,
    namespace: e.namespace ?? null,
    name: e.name ?? null,
    details: e.details ?? null,
  };
}

export interface AuditSink {
  send(doc: Record<string, unknown>): Promise<void>;
}

/** One JSON line per event on standard output, for a log pipeline to pick up. */
export class StdoutAuditSink implements AuditSink {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(line)) {}

  send(doc: Record<string, unknown>): Promise<void> {
    this.write(`${JSON.stringify(doc)}\n`);
    return Promise.resolve();
  }
}

/** POSTs each event as JSON; a non-2xx answer or no answer within the timeout is an error. */
export class HttpAuditSink implements AuditSink {
  constructor(private readonly config: Extract<AuditSinkConfig, { type: 'http' }>) {}

  async send(doc: Record<string, unknown>): Promise<void> {
    const res = await fetch(this.config.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...this.config.headers },
      body: JSON.stringify(doc),
      signal: AbortSignal.timeout(this.config.timeoutMs),
    });
    await res.body?.cancel();
    // Origin and path only: a query may carry a token.
    if (!res.ok) throw new Error(`${where(this.config.url)} answered ${res.status}`);
  }
}

function where(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

export function createAuditSink(config: AuditSinkConfig): AuditSink | undefined {
  switch (config.type) {
    case 'none':
      return undefined;
    case 'stdout':
      return new StdoutAuditSink();
    case 'http':
      return new HttpAuditSink(config);
  }
}

/**
 * The audit trail: every event is stored in Postgres (audit_events, the durable record), then copied to the
 * configured sink. A sink that fails is counted and logged; it never fails the call that was audited, and the row
 * is already stored.
 */
export class AuditTrail {
  private readonly logger = new Logger('AuditTrail');

  constructor(
    private readonly repository: AuditRepository,
    private readonly sink: AuditSink | undefined,
    private readonly onSinkError: () => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async record(e: AuditEvent): Promise<void> {
    const at = this.now();
    await this.repository.record(e);
    if (!this.sink) return;
    await this.sink.send(auditDocument(e, at)).catch((err: unknown) => {
      this.onSinkError();
      this.logger.warn(`Audit of ${e.action} ${e.kind ?? ''} ${e.name ?? ''} not sent to the sink: ${String(err)}`);
    });
  }
}
