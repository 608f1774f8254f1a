import { crdGuardMessage } from '@agents/kube';
import { IdleMemoryReducer, eventLoopBusy } from '@agents/process';
import { Inject, Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from './config/control-plane.config.js';
import { migrate } from './database/database.js';
import type { Database } from './database/schema.js';
import { EventHub } from './events/event-hub.js';
import { endAllSseConnections } from './events/sse.js';
import { IngestService } from './events/ingest.service.js';
import { StatusService } from './health/status.service.js';
import { AgentRunsService } from './runs/agent-runs.service.js';
import { RunHistoryRecorder } from './runs/run-history.recorder.js';
import { DATABASE, PG_POOL } from './tokens.js';

/**
 * Starts the control plane's background work after the HTTP server is up: migrations (JANGAR_MIGRATIONS=auto), the
 * CRD check, the event hub, the AgentRun history cache and NATS ingest, and the idle memory reducer; stops it all on
 * shutdown.
 */
const CRD_RECHECK_MS = 10_000;

@Injectable()
export class ControlPlaneLifecycle implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ControlPlane');
  private recheck: NodeJS.Timeout | undefined;
  private started = false;
  /** After a burst of calls or events, gives V8's freed pages back on the first quiet interval (see the class). */
  private readonly memoryReducer = new IdleMemoryReducer(eventLoopBusy());

  constructor(
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
    @Inject(DATABASE) private readonly db: Kysely<Database>,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly hub: EventHub,
    private readonly recorder: RunHistoryRecorder,
    private readonly status: StatusService,
    private readonly runs: AgentRunsService,
    @Optional() private readonly ingest?: IngestService,
  ) {}

  /**
   * Resolves with a message when the control plane must not run (CRDs managed by Crossplane). Missing CRDs only hold
   * the work back: /ready answers 503 naming them, and the check repeats until they are installed.
   */
  async start(): Promise<string | undefined> {
    this.memoryReducer.start();
    if (this.config.database.migrations === 'auto') {
      const result = await migrate(this.db);
      const applied = (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
      this.logger.log(applied.length ? `Applied migrations: ${applied.join(', ')}` : 'Database schema up to date');
    }
    const guard = await this.status.checkCrds();
    if (guard.crossplane.length) return crdGuardMessage(guard);
    if (guard.missing.length) {
      this.logger.warn(`Not ready: ${crdGuardMessage(guard)}. Checking again every ${CRD_RECHECK_MS / 1000} s`);
      this.waitForCrds();
      return undefined;
    }
    await this.startWork();
    return undefined;
  }

  private waitForCrds(): void {
    this.recheck = setTimeout(() => {
      void (async () => {
        const guard = await this.status.checkCrds();
        if (guard.crossplane.length) {
          this.logger.error(`Stopping: ${crdGuardMessage(guard)}`);
          process.exit(1);
        }
        if (guard.missing.length) return this.waitForCrds();
        this.logger.log('All CRDs are installed now');
        await this.startWork();
      })().catch((err: unknown) => {
        this.logger.warn(`Checking the CRDs failed: ${err instanceof Error ? err.message : String(err)}`);
        this.waitForCrds();
      });
    }, CRD_RECHECK_MS);
  }

  private async startWork(): Promise<void> {
    await this.hub.start();
    await this.recorder.start();
    this.ingest?.start();
    this.started = true;
    // Start-up leaves freed heap pages behind (module loading, the first lists); given back before traffic arrives:
    // resident at start 150 → 120 MiB, and P9's peak 239-242 → 233-235 MiB (bench/README.md).
    this.memoryReducer.collect();
    this.logger.log(
      `Serving namespaces ${this.config.namespaces === '*' ? '(all)' : this.config.namespaces.join(', ')}${this.ingest ? ', ingesting agent events from NATS' : ''}`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    // Open streams would hold the HTTP and gRPC servers' close until the pod is killed: end them first.
    const sse = endAllSseConnections();
    this.runs.endStreams();
    if (sse) this.logger.log(`Ended ${sse} open event stream(s) for shutdown`);
    clearTimeout(this.recheck);
    this.memoryReducer.stop();
    if (!this.started) {
      await this.db.destroy().catch(() => undefined);
      return;
    }
    await this.ingest?.stop();
    await this.recorder.stop();
    await this.hub.stop();
    await this.db.destroy().catch(() => undefined);
    void this.pool;
  }
}
