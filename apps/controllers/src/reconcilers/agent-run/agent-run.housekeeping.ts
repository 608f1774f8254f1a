import { type AgentRun } from '@agents/api';
import { BUILTIN, type KubeObjectLike, type ObjectMetaLike } from '@agents/kube';
import { Logger } from '@nestjs/common';
import type { ReadinessService } from '../../health/readiness.service.js';
import type { ControllerContext } from '../../runtime/controller-context.js';
import { isActive, isPending, isTerminal } from './agent-run.admission.js';

const ageSeconds = (o: KubeObjectLike, now: Date): number => {
  const created = Date.parse(String(o.metadata?.creationTimestamp ?? ''));
  return Number.isFinite(created) ? Math.max(0, (now.getTime() - created) / 1000) : 0;
};

/**
 * A run no controller has handled yet: it has no phase, or, not finished, a status written for an older generation
 * (or none recorded). A finished run's status is final, whatever is edited after, and a run being deleted has its
 * own path: neither is counted.
 */
export function isUntouched(run: AgentRun): boolean {
  if (run.metadata.deletionTimestamp) return false;
  const s = run.status;
  if (!s?.phase) return true;
  if (isTerminal(run)) return false;
  if (s.observedGeneration === undefined) return true;
  return run.metadata.generation !== undefined && s.observedGeneration < run.metadata.generation;
}

export interface NamespaceRuns {
  active: number;
  queued: number;
  untouched: number;
  /** Seconds; 0 when no run is untouched. */
  oldestUntouchedSeconds: number;
}

/** What the cache gauges show, per namespace with runs cached (namespaces without runs have no series). */
export function summarizeRuns(runs: readonly AgentRun[], now: Date): Map<string, NamespaceRuns> {
  const out = new Map<string, NamespaceRuns>();
  for (const r of runs) {
    const ns = r.metadata.namespace ?? '';
    let s = out.get(ns);
    if (!s) out.set(ns, (s = { active: 0, queued: 0, untouched: 0, oldestUntouchedSeconds: 0 }));
    if (isActive(r)) s.active += 1;
    else if (isPending(r)) s.queued += 1;
    if (isUntouched(r)) {
      s.untouched += 1;
      s.oldestUntouchedSeconds = Math.max(s.oldestUntouchedSeconds, ageSeconds(r, now));
    }
  }
  return out;
}

/**
 * Why AgentRuns may not be reaching this controller, per namespace with runs cached: a run untouched for longer than
 * `warnAfterSeconds`, or a watch silent for longer than `silenceWarnSeconds` (the runs there are then only seen when
 * a relist happens to bring them: "blind").
 */
export function ingestionProblems(
  summary: ReadonlyMap<string, NamespaceRuns>,
  thresholds: { warnAfterSeconds: number; silenceWarnSeconds: number },
  watchSilenceSeconds: (namespace: string) => number | undefined,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [ns, s] of summary) {
    const reasons: string[] = [];
    if (s.oldestUntouchedSeconds > thresholds.warnAfterSeconds)
      reasons.push(`AgentRuns untouched for over ${thresholds.warnAfterSeconds}s`);
    if ((watchSilenceSeconds(ns) ?? 0) > thresholds.silenceWarnSeconds)
      reasons.push(`no AgentRun watch events for over ${thresholds.silenceWarnSeconds}s`);
    if (reasons.length) out.set(ns, reasons.join(' and '));
  }
  return out;
}

/** `<reason> in <namespaces>; …`, namespaces grouped by reason, both sorted. */
export function describeProblems(problems: ReadonlyMap<string, string>): string {
  const byReason = new Map<string, string[]>();
  for (const [ns, reason] of problems) byReason.set(reason, [...(byReason.get(reason) ?? []), ns]);
  return [...byReason]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, namespaces]) => `${reason} in ${namespaces.sort().join(', ')}`)
    .join('; ');
}

/**
 * Whether AgentRuns reach this controller: a namespace is degraded while it has a problem (see ingestionProblems),
 * and recovers after two healthy resyncs in a row (one quiet resync could be luck).
 */
export class IngestionHealth {
  /** Degraded namespaces → the last problem seen and the healthy resyncs since. */
  private readonly degraded = new Map<string, { reason: string; healthy: number }>();

  /** Records one resync's problems; returns the degraded namespaces with their last problem. */
  observe(problems: ReadonlyMap<string, string>): Map<string, string> {
    for (const [ns, reason] of problems) this.degraded.set(ns, { reason, healthy: 0 });
    for (const [ns, d] of this.degraded) {
      if (problems.has(ns)) continue;
      if (d.healthy + 1 >= 2) this.degraded.delete(ns);
      else d.healthy += 1;
    }
    return new Map([...this.degraded].map(([ns, d]) => [ns, d.reason]));
  }
}

export interface PodLike extends KubeObjectLike {
  metadata: ObjectMetaLike & { name: string; namespace: string };
  status?: { phase?: string };
}

/** What the housekeeping reads: the reconciler's caches. */
export interface HousekeepingSources {
  runs(): readonly AgentRun[];
  pods(): readonly PodLike[];
  /** The uid of the cached Job of that name, undefined when there is none. */
  jobUid(namespace: string, name: string): string | undefined;
  /** Seconds since the AgentRun watch covering the namespace last proved alive. */
  watchSilenceSeconds(namespace: string): number | undefined;
}

/**
 * Runtime debris: finished runner pods (Succeeded or Failed, labelled with their run) older than the retention,
 * that no Job owns any more (no owner at all, or an owning Job that no longer exists, uid included). Oldest first.
 */
export function orphanPods(
  pods: readonly PodLike[],
  jobExists: (namespace: string, name: string, uid: string) => boolean,
  now: Date,
  retentionSeconds: number,
): PodLike[] {
  return pods
    .filter((p) => {
      if (p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') return false;
      if (p.metadata.deletionTimestamp) return false;
      if (ageSeconds(p, now) < retentionSeconds) return false;
      const jobs = (p.metadata.ownerReferences ?? []).filter((r) => r.kind === 'Job');
      if (jobs.length === 0) return !(p.metadata.ownerReferences ?? []).length;
      return !jobs.some((r) => jobExists(p.metadata.namespace, r.name, r.uid));
    })
    .sort((a, b) => ageSeconds(b, now) - ageSeconds(a, now));
}

/**
 * The AgentRun reconciler's periodic work besides reconciling: the cache gauges, resync adoptions, ingestion health
 * on /readyz, and the runtime debris cleanup (REFERENCE §2.9). `sweep` runs on every resync of the leader.
 */
export class AgentRunHousekeeping {
  private readonly logger = new Logger(AgentRunHousekeeping.name);
  private ingestion = new IngestionHealth();
  private readonly orphanNamespaces = new Set<string>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly sources: HousekeepingSources,
    private readonly readiness: ReadinessService,
  ) {
    const m = ctx.metrics;
    m.setRunGauges(() => {
      const summary = summarizeRuns(sources.runs(), ctx.clock.now());
      for (const g of [m.activeConcurrency, m.agentQueueDepth, m.untouchedBacklog, m.untouchedOldestAge]) g.reset();
      for (const [namespace, s] of summary) {
        m.activeConcurrency.set({ namespace }, s.active);
        m.agentQueueDepth.set({ namespace }, s.queued);
        m.untouchedBacklog.set({ namespace }, s.untouched);
        m.untouchedOldestAge.set({ namespace }, Math.round(s.oldestUntouchedSeconds));
      }
    });
  }

  async sweep(): Promise<void> {
    const now = this.ctx.clock.now();
    const summary = summarizeRuns(this.sources.runs(), now);
    for (const [namespace, s] of summary)
      if (s.untouched > 0) this.ctx.metrics.resyncAdoptions.inc({ namespace }, s.untouched);
    const { untouchedWarnAfterSeconds, watchSilenceWarnSeconds } = this.ctx.config.housekeeping;
    const problems = ingestionProblems(
      summary,
      { warnAfterSeconds: untouchedWarnAfterSeconds, silenceWarnSeconds: watchSilenceWarnSeconds },
      (ns) => this.sources.watchSilenceSeconds(ns),
    );
    const degraded = this.ingestion.observe(problems);
    this.readiness.degrade(
      'agentrun-ingestion',
      degraded.size ? `agentrun_ingestion_not_ready: ${describeProblems(degraded)}` : undefined,
    );
    await this.cleanDebris(now);
  }

  /** A follower does not sweep: it reports no ingestion health of its own, and starts afresh if it leads again. */
  stopLeading(): void {
    this.ingestion = new IngestionHealth();
    this.readiness.degrade('agentrun-ingestion', undefined);
  }

  private async cleanDebris(now: Date): Promise<void> {
    const { debrisMode, orphanPodRetentionSeconds, debrisMaxDeletesPerNamespace } = this.ctx.config.housekeeping;
    if (debrisMode === 'disabled') return;
    const jobExists = (ns: string, name: string, uid: string) => this.sources.jobUid(ns, name) === uid;
    const byNamespace = new Map<string, PodLike[]>();
    for (const p of orphanPods(this.sources.pods(), jobExists, now, orphanPodRetentionSeconds)) {
      const list = byNamespace.get(p.metadata.namespace) ?? [];
      list.push(p);
      byNamespace.set(p.metadata.namespace, list);
    }
    // A namespace whose orphans are gone reads 0, not its last count.
    for (const ns of this.orphanNamespaces)
      if (!byNamespace.has(ns)) this.ctx.metrics.debrisOrphanPods.set({ namespace: ns }, 0);
    for (const [namespace, pods] of byNamespace) {
      this.orphanNamespaces.add(namespace);
      this.ctx.metrics.debrisOrphanPods.set({ namespace }, pods.length);
      if (debrisMode === 'audit') {
        this.logger.log(`${pods.length} orphaned runner pods in ${namespace} (audit mode: not deleted)`);
        continue;
      }
      for (const p of pods.slice(0, debrisMaxDeletesPerNamespace)) {
        try {
          if (await this.ctx.api.delete(BUILTIN.pod, namespace, p.metadata.name, { uid: p.metadata.uid }))
            this.ctx.metrics.debrisDeletedPods.inc({ namespace });
        } catch (err) {
          this.ctx.metrics.debrisDeleteErrors.inc({ namespace });
          this.logger.warn(
            `Deleting orphaned runner pod ${namespace}/${p.metadata.name} failed: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
      }
    }
  }
}
