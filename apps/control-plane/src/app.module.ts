import { KubeApi, loadClusterAccess, type ClusterAccess } from '@agents/kube';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from './config/control-plane.config.js';
import { ControlPlaneLifecycle } from './control-plane.lifecycle.js';
import { createDatabase, createPool } from './database/database.js';
import type { Database } from './database/schema.js';
import { EventHub } from './events/event-hub.js';
import { EventsSseController } from './events/events.sse-controller.js';
import { EventsRepository } from './events/events.repository.js';
import { IngestService } from './events/ingest.service.js';
import { AgentctlGrpcController } from './grpc/agentctl.grpc-controller.js';
import { GrpcAuthGuard } from './grpc/grpc-auth.guard.js';
import { GrpcExceptionFilter } from './grpc/grpc-errors.js';
import { GrpcMetricsInterceptor } from './grpc/grpc-metrics.interceptor.js';
import { HealthController } from './health/health.controller.js';
import { ControlPlaneMetrics } from './health/metrics.js';
import { StatusService } from './health/status.service.js';
import { ResourcesService } from './kube/resources.service.js';
import { AgentRunsService } from './runs/agent-runs.service.js';
import { AuditTrail, createAuditSink } from './runs/audit-trail.js';
import { AuditRepository } from './runs/audit.repository.js';
import { ResourceStreamSseController } from './runs/resource-stream.sse-controller.js';
import { RunHistoryRecorder } from './runs/run-history.recorder.js';
import { RunHistoryRepository } from './runs/run-history.repository.js';
import { DATABASE, KUBE_API, PG_POOL } from './tokens.js';

/** Wiring of the control plane: plain classes built by factories, so each one states exactly what it uses. */
@Module({})
export class AppModule {
  static register(config: ControlPlaneConfig, access?: ClusterAccess): DynamicModule {
    const providers: Provider[] = [
      { provide: CONTROL_PLANE_CONFIG, useValue: config },
      ControlPlaneMetrics,
      {
        provide: KUBE_API,
        inject: [ControlPlaneMetrics],
        useFactory: (metrics: ControlPlaneMetrics) =>
          KubeApi.fromAccess(access ?? loadClusterAccess(config.kubeconfig), {
            qps: config.kubeApi.qps,
            burst: config.kubeApi.burst,
            userAgent: 'agents-control-plane',
            onRequest: ({ verb, resource, code }) => metrics.kubeRequests.inc({ verb, resource, code: String(code) }),
          }),
      },
      { provide: PG_POOL, useFactory: () => createPool(config.database) },
      { provide: DATABASE, inject: [PG_POOL], useFactory: (pool: pg.Pool) => createDatabase(pool) },
      { provide: EventsRepository, inject: [DATABASE], useFactory: (db: Kysely<Database>) => new EventsRepository(db) },
      {
        provide: RunHistoryRepository,
        inject: [DATABASE],
        useFactory: (db: Kysely<Database>) => new RunHistoryRepository(db),
      },
      {
        provide: AuditTrail,
        inject: [DATABASE, ControlPlaneMetrics],
        useFactory: (db: Kysely<Database>, m: ControlPlaneMetrics) =>
          new AuditTrail(new AuditRepository(db), createAuditSink(config.auditSink), () => m.auditSinkErrors.inc()),
      },
      {
        provide: EventHub,
        inject: [PG_POOL, EventsRepository],
        useFactory: (pool: pg.Pool, events: EventsRepository) =>
          new EventHub(pool, events, { maxEvents: config.sse.windowEvents, maxBytes: config.sse.windowBytes }),
      },
      {
        provide: RunHistoryRecorder,
        inject: [KUBE_API, RunHistoryRepository],
        useFactory: (api: KubeApi, history: RunHistoryRepository) =>
          new RunHistoryRecorder(api, config.namespaces, history),
      },
      {
        provide: ResourcesService,
        inject: [KUBE_API],
        useFactory: (api: KubeApi) => new ResourcesService(api, config.podNamespace, config.namespaces),
      },
      {
        provide: AgentRunsService,
        inject: [ResourcesService, KUBE_API, RunHistoryRecorder, EventHub],
        useFactory: (resources: ResourcesService, api: KubeApi, recorder: RunHistoryRecorder, hub: EventHub) =>
          new AgentRunsService(resources, api, recorder.runs, hub),
      },
      GrpcAuthGuard,
      GrpcExceptionFilter,
      GrpcMetricsInterceptor,
      ControlPlaneLifecycle,
    ];
    if (config.nats.ingest) {
      providers.push({
        provide: IngestService,
        inject: [EventsRepository, ControlPlaneMetrics],
        useFactory: (events: EventsRepository, m: ControlPlaneMetrics) =>
          new IngestService(
            {
              url: config.nats.url!,
              user: config.nats.user,
              password: config.nats.password,
              consumer: config.nats.consumer,
              subjects: config.nats.subjects,
              batchSize: config.nats.batchSize,
            },
            events,
            {
              inserted: (n) => m.eventsInserted.inc(n),
              duplicates: (n) => m.eventsDuplicate.inc(n),
              deadLettered: (n) => m.eventsDeadLettered.inc(n),
              batch: (size, ms) => {
                m.batchSize.observe(size);
                m.insertDuration.observe(ms);
              },
              error: () => m.ingestErrors.inc(),
            },
          ),
      });
    }
    providers.push({
      provide: StatusService,
      inject: [KUBE_API, DATABASE, RunHistoryRecorder, { token: IngestService, optional: true }],
      useFactory: (api: KubeApi, db: Kysely<Database>, recorder: RunHistoryRecorder, ingest?: IngestService) =>
        new StatusService(api, db, config, ingest, recorder),
    });
    return {
      module: AppModule,
      controllers: [
        HealthController,
        EventsSseController,
        ResourceStreamSseController,
        ...(config.grpc.enabled ? [AgentctlGrpcController] : []),
      ],
      providers,
    };
  }
}
