import { AgentRunReason as R, ANNOTATIONS, TERMINAL_RUN_PHASES, type AgentRun } from '@agents/api';
import type { ControllersConfig } from '../../config/controllers.config.js';
import { repositoryOf } from './agent-run.vcs.js';

/** Not admitted yet: no phase or Pending without a Job (held runs are Pending too), not a template, not deleted. */
export const isPending = (r: AgentRun): boolean =>
  (!r.status?.phase || r.status.phase === 'Pending') &&
  !r.status?.runtimeRef &&
  r.metadata.annotations?.[ANNOTATIONS.template] !== 'true' &&
  !r.metadata.deletionTimestamp;

/** Admitted and not finished: its Job exists (Pending until its pod starts, then Running). */
export const isActive = (r: AgentRun): boolean =>
  r.status?.phase === 'Running' || (r.status?.phase === 'Pending' && !!r.status.runtimeRef);

export const isTerminal = (r: AgentRun): boolean => TERMINAL_RUN_PHASES.includes(r.status?.phase ?? '');

/** Creation order, oldest first; name breaks ties so every replica computes the same order. */
export function olderFirst(a: AgentRun, b: AgentRun): number {
  const ta = Date.parse(String(a.metadata.creationTimestamp ?? 0));
  const tb = Date.parse(String(b.metadata.creationTimestamp ?? 0));
  return ta - tb || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

const repoOf = (r: AgentRun): string | undefined =>
  (r.status?.vcs?.repository ?? repositoryOf(r.spec.parameters ?? {}, r.spec.implementation?.inline))?.toLowerCase();

export type DuplicateCheck = { duplicate: false } | { duplicate: true; reason: string; owner: string };

/** Admitted at some point: it has started, or ended. */
const hasStarted = (r: AgentRun): boolean => !!r.status?.startedAt || isActive(r) || isTerminal(r);

/**
 * Idempotency without a database: among the runs of one namespace and agent that carry the same key, a run that has
 * started owns it (creation times have a 1 s resolution, so a later run can sort first by name); else the oldest
 * (creation time, then name). Every other one is a duplicate. Every replica and every restart computes the same owner
 * from the cache.
 */
export function checkDuplicate(run: AgentRun, sameNamespace: readonly AgentRun[]): DuplicateCheck {
  const key = run.spec.idempotencyKey;
  if (!key) return { duplicate: false };
  const holders = sameNamespace
    .filter((r) => r.spec.idempotencyKey === key && r.spec.agentRef?.name === run.spec.agentRef?.name)
    .filter(
      (r) =>
        r.metadata.uid === run.metadata.uid ||
        !r.status?.conditions?.some((c) => c.type === 'Duplicate' && c.status === 'True'),
    )
    .sort((x, y) => Number(hasStarted(y)) - Number(hasStarted(x)) || olderFirst(x, y));
  const owner = holders[0];
  if (!owner || owner.metadata.uid === run.metadata.uid) return { duplicate: false };
  return {
    duplicate: true,
    reason: isTerminal(owner) ? R.IdempotencyKeyCompleted : R.IdempotencyKeyInUse,
    owner: owner.metadata.name ?? '',
  };
}

export interface AdmissionBlock {
  reason: string;
  scope: 'cluster' | 'namespace' | 'agent' | 'repo';
  message: string;
  /** When a clock-driven limit (rate) frees up. */
  retryAfterMs?: number;
}

/** Reasons a run waits for a free slot; any other Blocked reason (its provider, a dependency) waits for something else. */
const LIMIT_REASONS: ReadonlySet<string> = new Set([R.ConcurrencyLimit, R.QueueLimit, R.RateLimit]);

const heldForAnotherReason = (r: AgentRun): boolean =>
  !!r.status?.conditions?.some((c) => c.type === 'Blocked' && c.status === 'True' && !LIMIT_REASONS.has(c.reason));

/**
 * Concurrency, queue and rate limits, recomputed from the cached runs on every call (restarts lose nothing).
 * `active` counts Running runs plus runs this process admitted that the cache does not show yet. Pending runs are
 * admitted oldest first: a run takes a free slot only if the older pending runs of the same scope could fill it.
 * An older run that cannot take a slot (its agent or repository is at its own limit, or it waits for its provider or
 * a dependency) holds no place in a wider scope's line, so one agent's backlog never blocks another agent.
 * Messages carry the limits, not live counts: a held run's status is rewritten only when what holds it changes.
 */
export function checkLimits(
  run: AgentRun,
  all: readonly AgentRun[],
  inFlight: ReadonlySet<string>,
  limits: ControllersConfig['limits'],
  now: Date,
): AdmissionBlock | undefined {
  const ns = run.metadata.namespace;
  const agent = run.spec.agentRef?.name;
  const repo = repoOf(run);
  const repoLimitOf = (r: AgentRun) => {
    const c = limits.concurrency;
    const key = repoOf(r);
    return c.repoEnabled && key ? (c.repoOverrides[key] ?? c.repoDefault) : 0;
  };
  const allScopes: {
    scope: AdmissionBlock['scope'];
    match: (r: AgentRun) => boolean;
    concurrency: number;
    queue: number;
    rate: number;
  }[] = [
    {
      scope: 'cluster',
      match: () => true,
      concurrency: limits.concurrency.cluster,
      queue: limits.queue.cluster,
      rate: limits.rate.cluster,
    },
    {
      scope: 'namespace',
      match: (r) => r.metadata.namespace === ns,
      concurrency: limits.concurrency.perNamespace,
      queue: limits.queue.perNamespace,
      rate: limits.rate.perNamespace,
    },
    {
      scope: 'agent',
      match: (r) => r.metadata.namespace === ns && r.spec.agentRef?.name === agent,
      concurrency: limits.concurrency.perAgent,
      queue: 0,
      rate: 0,
    },
  ];
  if (repo) {
    allScopes.push({
      scope: 'repo',
      match: (r) => repoOf(r) === repo,
      concurrency: repoLimitOf(run),
      queue: limits.queue.perRepo,
      rate: limits.rate.perRepo,
    });
  }
  // Only scopes with a limit are counted; with every limit off there is nothing to count (this runs for each
  // admission, over every cached run).
  const scopes = allScopes.filter((s) => s.queue > 0 || s.concurrency > 0 || s.rate > 0);
  if (!scopes.length) return undefined;
  const active = (r: AgentRun) => isActive(r) || (isPending(r) && inFlight.has(r.metadata.uid ?? ''));
  const olderPending = (r: AgentRun) =>
    isPending(r) &&
    !inFlight.has(r.metadata.uid ?? '') &&
    r.metadata.uid !== run.metadata.uid &&
    olderFirst(r, run) < 0;
  // Active runs per agent and per repository, once per call: whether an older run is stuck behind its own limit.
  const activePer = new Map<string, number>();
  const agentKey = (r: AgentRun) => `agent ${r.metadata.namespace}/${r.spec.agentRef?.name}`;
  const repoKey = (r: AgentRun) => `repo ${repoOf(r)}`;
  for (const r of all.filter(active)) {
    activePer.set(agentKey(r), (activePer.get(agentKey(r)) ?? 0) + 1);
    if (repoOf(r)) activePer.set(repoKey(r), (activePer.get(repoKey(r)) ?? 0) + 1);
  }
  const repoFull = (r: AgentRun) => repoLimitOf(r) > 0 && (activePer.get(repoKey(r)) ?? 0) >= repoLimitOf(r);
  /**
   * How many of the older queued runs of a scope could take one of its slots: not those waiting for something else,
   * and, in a scope wider than an agent, at most as many of one agent's runs as that agent has free slots.
   */
  const aheadIn = (scope: AdmissionBlock['scope'], queued: AgentRun[]): number => {
    const candidates = queued.filter(
      (r) => !heldForAnotherReason(r) && (scope === 'agent' || scope === 'repo' || !repoFull(r)),
    );
    const perAgent = limits.concurrency.perAgent;
    if (scope === 'agent' || perAgent <= 0) return candidates.length;
    const byAgent = new Map<string, number>();
    for (const r of candidates) byAgent.set(agentKey(r), (byAgent.get(agentKey(r)) ?? 0) + 1);
    let ahead = 0;
    for (const [key, n] of byAgent) ahead += Math.min(n, Math.max(0, perAgent - (activePer.get(key) ?? 0)));
    return ahead;
  };
  const windowMs = limits.rate.windowSeconds * 1000;
  for (const s of scopes) {
    const members = all.filter(s.match);
    const queued = members.filter(olderPending);
    if (s.queue > 0 && queued.length >= s.queue) {
      return {
        reason: R.QueueLimit,
        scope: s.scope,
        message: `this ${s.scope} already has ${s.queue} older runs queued (its queue limit)`,
      };
    }
    if (s.concurrency > 0) {
      const ahead = aheadIn(s.scope, queued);
      if (members.filter(active).length + ahead >= s.concurrency) {
        return {
          reason: R.ConcurrencyLimit,
          scope: s.scope,
          message: `this ${s.scope} is at its limit of ${s.concurrency} concurrent runs (older runs first)`,
        };
      }
    }
    if (s.rate > 0) {
      const starts = members
        .map((r) => Date.parse(r.status?.startedAt ?? ''))
        .filter((t) => Number.isFinite(t) && now.getTime() - t < windowMs)
        .sort((a, b) => a - b);
      // Runs admitted here but not yet seen Running have started too.
      const admitted = members.filter((r) => isPending(r) && inFlight.has(r.metadata.uid ?? '')).length;
      if (starts.length + admitted >= s.rate) {
        const oldest = starts[Math.max(0, starts.length - s.rate)] ?? now.getTime();
        const retryAfterMs = Math.max(1000, oldest + windowMs - now.getTime());
        return {
          reason: R.RateLimit,
          scope: s.scope,
          message: `this ${s.scope} started its limit of ${s.rate} runs in the last ${limits.rate.windowSeconds}s`,
          retryAfterMs,
        };
      }
    }
  }
  return undefined;
}
