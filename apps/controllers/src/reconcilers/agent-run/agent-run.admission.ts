import { AgentRunReason as R, ANNOTATIONS, TERMINAL_RUN_PHASES, type AgentRun } from '@agents/api';
import type { ControllersConfig } from '../../config/controllers.config.js';
import { repositoryOf } from './agent-run.vcs.js';

/** Not started yet: no phase or Pending (held runs are Pending too), not a template, not being deleted. */
export const isPending = (r: AgentRun): boolean =>
  (!r.status?.phase || r.status.phase === 'Pending') &&
  r.metadata.annotations?.[ANNOTATIONS.template] !== 'true' &&
  !r.metadata.deletionTimestamp;

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

/**
 * Idempotency without a database: among the runs of one namespace and agent that carry the same key, the oldest
 * (creation time, then name) owns it; every other one is a duplicate. Every replica and every restart computes the
 * same owner from the cache.
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
    .sort(olderFirst);
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

/**
 * Concurrency, queue and rate limits, recomputed from the cached runs on every call (restarts lose nothing).
 * `active` counts Running runs plus runs this process admitted that the cache does not show yet. Pending runs are
 * admitted oldest first: a run takes a free slot only if the older pending runs of the same scope cannot fill it.
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
  const active = (r: AgentRun) => r.status?.phase === 'Running' || (isPending(r) && inFlight.has(r.metadata.uid ?? ''));
  const olderPending = (r: AgentRun) =>
    isPending(r) &&
    !inFlight.has(r.metadata.uid ?? '') &&
    r.metadata.uid !== run.metadata.uid &&
    olderFirst(r, run) < 0;
  const scopes: {
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
    const repoLimit = limits.concurrency.repoEnabled
      ? (limits.concurrency.repoOverrides[repo] ?? limits.concurrency.repoDefault)
      : 0;
    scopes.push({
      scope: 'repo',
      match: (r) => repoOf(r) === repo,
      concurrency: repoLimit,
      queue: limits.queue.perRepo,
      rate: limits.rate.perRepo,
    });
  }
  const windowMs = limits.rate.windowSeconds * 1000;
  for (const s of scopes) {
    const members = all.filter(s.match);
    const ahead = members.filter(olderPending).length;
    if (s.queue > 0 && ahead >= s.queue) {
      return {
        reason: R.QueueLimit,
        scope: s.scope,
        message: `${ahead} older runs are queued in this ${s.scope} (limit ${s.queue})`,
      };
    }
    if (s.concurrency > 0) {
      const running = members.filter(active).length;
      if (running + ahead >= s.concurrency) {
        return {
          reason: R.ConcurrencyLimit,
          scope: s.scope,
          message: `${running} runs are running and ${ahead} older runs are waiting in this ${s.scope} (limit ${s.concurrency})`,
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
          message: `${starts.length} runs started in this ${s.scope} in the last ${limits.rate.windowSeconds}s (limit ${s.rate}); retry after ${Math.ceil(retryAfterMs / 1000)}s`,
          retryAfterMs,
        };
      }
    }
  }
  return undefined;
}
