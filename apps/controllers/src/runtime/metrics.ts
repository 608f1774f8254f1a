import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The controllers' Prometheus metrics, on a registry of their own (served at /metrics). */
export class ControllerMetrics {
  readonly registry = new Registry();

  readonly queueDepth = new Gauge({
    name: 'agents_controller_queue_depth',
    help: 'Keys waiting in a controller work queue, per lane: main (watch events, retries, timers) and resync (the periodic resync, served only when main is empty).',
    labelNames: ['controller', 'lane'],
    registers: [this.registry],
  });

  readonly reconcileDuration = new Histogram({
    name: 'agents_reconcile_duration_ms',
    help: 'Duration of one reconcile, in milliseconds.',
    labelNames: ['kind', 'outcome'],
    buckets: [1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [this.registry],
  });

  readonly reconcileTotal = new Counter({
    name: 'agents_reconcile_total',
    help: 'Reconciles by kind and outcome (success, requeue, conflict, error).',
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });

  readonly apiRequests = new Counter({
    name: 'agents_kube_api_requests_total',
    help: 'Kubernetes API requests by verb, resource and HTTP code (0 = no response).',
    labelNames: ['verb', 'resource', 'code'],
    registers: [this.registry],
  });

  readonly apiErrors = new Counter({
    name: 'agents_kube_api_errors_total',
    help: 'Kubernetes API requests that failed (HTTP >= 400 or no response).',
    labelNames: ['verb', 'resource', 'code'],
    registers: [this.registry],
  });

  readonly leader = new Gauge({
    name: 'agents_leader_election_is_leader',
    help: 'Whether this replica holds the leader lease (1) or not (0).',
    registers: [this.registry],
  });

  readonly informerRestarts = new Counter({
    name: 'agents_informer_restarts_total',
    help: 'Watch restarts by resource and reason (error, gone = relist after 410).',
    labelNames: ['resource', 'reason'],
    registers: [this.registry],
  });

  readonly runOutcomes = new Counter({
    name: 'agents_agent_run_outcomes_total',
    help: 'AgentRuns that reached a terminal phase, by namespace, phase and reason.',
    labelNames: ['namespace', 'phase', 'reason'],
    registers: [this.registry],
  });

  readonly admissionBlocked = new Counter({
    name: 'agents_rate_limit_rejections_total',
    help: 'Times an AgentRun was held back by a limit, by scope and reason.',
    labelNames: ['scope', 'reason'],
    registers: [this.registry],
  });

  readonly retentionDeletes = new Counter({
    name: 'agents_agentrun_retention_deletes_total',
    help: 'Finished AgentRuns deleted by retention.',
    labelNames: ['namespace'],
    registers: [this.registry],
  });

  readonly retentionDeleteErrors = new Counter({
    name: 'agents_agentrun_retention_delete_errors_total',
    help: 'Finished AgentRuns that retention failed to delete.',
    labelNames: ['namespace'],
    registers: [this.registry],
  });

  /**
   * Computed from the caches when scraped, per namespace with runs cached (see `setRunGauges`): admitted runs not
   * finished, runs waiting for admission, and runs no controller has handled yet.
   */
  readonly activeConcurrency = this.cacheGauge(
    'agents_active_concurrency',
    'AgentRuns admitted and not finished (their Job exists), per namespace.',
  );
  readonly agentQueueDepth = this.cacheGauge(
    'agents_agent_queue_depth',
    'AgentRuns waiting to be admitted (Pending without a Job, Blocked ones included), per namespace.',
  );
  readonly untouchedBacklog = this.cacheGauge(
    'agents_agentrun_untouched_backlog',
    'AgentRuns no controller has handled yet (no status, or an older observedGeneration), per namespace.',
  );
  readonly untouchedOldestAge = this.cacheGauge(
    'agents_agentrun_untouched_oldest_age_seconds',
    'Age of the oldest AgentRun no controller has handled yet, per namespace (0 when there is none).',
  );

  readonly resyncAdoptions = new Counter({
    name: 'agents_agentrun_resync_adoptions_total',
    help: 'Untouched AgentRuns the periodic resync found and queued, per namespace.',
    labelNames: ['namespace'],
    registers: [this.registry],
  });

  readonly debrisOrphanPods = new Gauge({
    name: 'agents_runtime_debris_orphan_pods',
    help: 'Finished runner pods whose Job is gone and that are past their retention, per namespace, at the last sweep.',
    labelNames: ['namespace'],
    registers: [this.registry],
  });

  readonly debrisDeletedPods = new Counter({
    name: 'agents_runtime_debris_deleted_pods_total',
    help: 'Orphaned finished runner pods deleted by the runtime debris cleanup, per namespace.',
    labelNames: ['namespace'],
    registers: [this.registry],
  });

  readonly debrisDeleteErrors = new Counter({
    name: 'agents_runtime_debris_delete_errors_total',
    help: 'Orphaned runner pods the runtime debris cleanup failed to delete, per namespace.',
    labelNames: ['namespace'],
    registers: [this.registry],
  });

  readonly eventsBuffered = new Gauge({
    name: 'agents_nats_publish_buffer',
    help: 'Events waiting to be published to NATS.',
    registers: [this.registry],
  });

  readonly eventsPublished = new Counter({
    name: 'agents_nats_published_total',
    help: 'Events published to NATS JetStream.',
    registers: [this.registry],
  });

  readonly eventsDropped = new Counter({
    name: 'agents_nats_publish_dropped_total',
    help: 'Events dropped because the publish buffer was full while NATS was unreachable.',
    registers: [this.registry],
  });

  /** Fills the cache gauges; set by the AgentRun reconciler (they stay empty without it). */
  private runGauges: (() => void) | undefined;
  private runGaugesAt = 0;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  setRunGauges(fill: () => void): void {
    this.runGauges = fill;
  }

  /** A gauge read from the caches at scrape time: the four of one scrape share one pass over the runs. */
  private cacheGauge(name: string, help: string): Gauge {
    const metrics = this as ControllerMetrics;
    return new Gauge({
      name,
      help,
      labelNames: ['namespace'],
      registers: [this.registry],
      collect() {
        const now = performance.now();
        if (!metrics.runGauges || now - metrics.runGaugesAt < 250) return;
        metrics.runGaugesAt = now;
        metrics.runGauges();
      },
    });
  }
}
