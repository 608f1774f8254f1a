import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The control plane's Prometheus metrics (served at /metrics). */
@Injectable()
export class ControlPlaneMetrics {
  readonly registry = new Registry();

  readonly eventsInserted = new Counter({
    name: 'agents_agent_comms_inserted_total',
    help: 'Agent events stored.',
    registers: [this.registry],
  });
  readonly eventsDuplicate = new Counter({
    name: 'agents_agent_comms_duplicates_total',
    help: 'Agent events delivered again and skipped.',
    registers: [this.registry],
  });
  readonly eventsDeadLettered = new Counter({
    name: 'agents_agent_comms_dead_letters_total',
    help: 'Malformed agent messages stored as dead letters.',
    registers: [this.registry],
  });
  readonly ingestErrors = new Counter({
    name: 'agents_agent_comms_ingest_errors_total',
    help: 'Failed ingest attempts (NATS or Postgres unavailable).',
    registers: [this.registry],
  });
  readonly insertDuration = new Histogram({
    name: 'agents_agent_comms_insert_duration_ms',
    help: 'Duration of one ingest batch (parse, insert, commit), in milliseconds.',
    buckets: [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'agents_agent_comms_batch_size',
    help: 'Messages per ingest batch.',
    buckets: [1, 10, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });
  readonly sseConnections = new Counter({
    name: 'agents_sse_connections_total',
    help: 'SSE connections opened.',
    registers: [this.registry],
  });
  readonly sseOpen = new Gauge({
    name: 'agents_sse_open_connections',
    help: 'SSE connections open now.',
    registers: [this.registry],
  });
  readonly sseDelivered = new Counter({
    name: 'agents_sse_events_delivered_total',
    help: 'Events written to SSE connections.',
    registers: [this.registry],
  });
  readonly sseCut = new Counter({
    name: 'agents_sse_slow_clients_cut_total',
    help: 'SSE connections cut for not reading.',
    registers: [this.registry],
  });
  readonly sseErrors = new Counter({
    name: 'agents_sse_errors_total',
    help: 'SSE streams ended by an error.',
    registers: [this.registry],
  });
  readonly grpcRequests = new Counter({
    name: 'agents_grpc_requests_total',
    help: 'gRPC calls by method and status code.',
    labelNames: ['method', 'code'],
    registers: [this.registry],
  });
  readonly auditSinkErrors = new Counter({
    name: 'agents_audit_sink_errors_total',
    help: 'Audit events stored in Postgres that the audit sink (JANGAR_AUDIT_SINK_TYPE) did not take.',
    registers: [this.registry],
  });
  readonly kubeRequests = new Counter({
    name: 'agents_kube_api_requests_total',
    help: 'Kubernetes API requests by verb, resource and HTTP code (0 = no response).',
    labelNames: ['verb', 'resource', 'code'],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
