import type { AgentRun } from '@agents/api';
import { makeRun, testConfig } from '../../../test/builders.js';
import { checkDuplicate, checkLimits } from './agent-run.admission.js';

const now = new Date('2026-01-01T00:10:00Z');
const running = (name: string, extra: Partial<AgentRun['spec']> = {}, startedAt = '2026-01-01T00:09:00Z') =>
  makeRun(name).spec(extra).status({ phase: 'Running', startedAt }).build();
const pending = (name: string, created: string, extra: Partial<AgentRun['spec']> = {}) =>
  makeRun(name).spec(extra).created(created).build();
const limits = (env: Record<string, string>) =>
  testConfig({ JANGAR_AGENTS_CONTROLLER_RATE_NAMESPACE: '0', JANGAR_AGENTS_CONTROLLER_RATE_CLUSTER: '0', ...env })
    .limits;

describe('checkLimits', () => {
  it('admits a run when nothing else is running', () => {
    const run = pending('a', '2026-01-01T00:00:00Z');
    expect(checkLimits(run, [run], new Set(), limits({}), now)).toBeUndefined();
  });

  it('holds a run at the per-agent concurrency limit', () => {
    const run = pending('b', '2026-01-01T00:00:00Z');
    const block = checkLimits(
      run,
      [running('a'), run],
      new Set(),
      limits({ JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT: '1' }),
      now,
    );
    expect(block).toMatchObject({ reason: 'ConcurrencyLimit', scope: 'agent' });
  });

  it('does not count runs of other agents against the per-agent limit', () => {
    const run = pending('b', '2026-01-01T00:00:00Z');
    const other = running('a', { agentRef: { name: 'other' } });
    expect(
      checkLimits(run, [other, run], new Set(), limits({ JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT: '1' }), now),
    ).toBeUndefined();
  });

  it('admits the oldest pending run first', () => {
    const older = pending('older', '2026-01-01T00:00:00Z');
    const newer = pending('newer', '2026-01-01T00:05:00Z');
    const l = limits({ JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '1' });
    expect(checkLimits(older, [older, newer], new Set(), l, now)).toBeUndefined();
    expect(checkLimits(newer, [older, newer], new Set(), l, now)).toMatchObject({
      reason: 'ConcurrencyLimit',
      scope: 'namespace',
    });
  });

  it('counts runs admitted by this process but not yet seen running', () => {
    const first = pending('first', '2026-01-01T00:00:00Z');
    const second = pending('second', '2026-01-01T00:01:00Z');
    const block = checkLimits(
      second,
      [first, second],
      new Set(['first-uid']),
      limits({ JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '1' }),
      now,
    );
    expect(block).toMatchObject({ reason: 'ConcurrencyLimit' });
  });

  it('rejects a run beyond the queue length', () => {
    const queued = [1, 2, 3].map((i) => pending(`q${i}`, `2026-01-01T00:0${i}:00Z`));
    const run = pending('late', '2026-01-01T00:09:00Z');
    expect(
      checkLimits(run, [...queued, run], new Set(), limits({ JANGAR_AGENTS_CONTROLLER_QUEUE_NAMESPACE: '3' }), now),
    ).toMatchObject({
      reason: 'QueueLimit',
      scope: 'namespace',
    });
  });

  it('rate-limits starts in the window and says when to retry', () => {
    const run = pending('r', '2026-01-01T00:00:00Z');
    const started = [running('s1', {}, '2026-01-01T00:09:30Z'), running('s2', {}, '2026-01-01T00:09:40Z')].map((r) => ({
      ...r,
      status: { ...r.status, phase: 'Succeeded' },
    }));
    const block = checkLimits(
      run,
      [...started, run],
      new Set(),
      limits({ JANGAR_AGENTS_CONTROLLER_RATE_NAMESPACE: '2', JANGAR_AGENTS_CONTROLLER_RATE_WINDOW_SECONDS: '60' }),
      now,
    );
    expect(block).toMatchObject({ reason: 'RateLimit', scope: 'namespace', retryAfterMs: 30_000 });
  });

  it('does not let the backlog of an agent at its own limit hold back another agent of the namespace', () => {
    const l = limits({
      JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT: '1',
      JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '3',
    });
    const busy = running('a-running');
    const backlog = [1, 2, 3, 4, 5].map((i) => pending(`a-${i}`, `2026-01-01T00:0${i}:00Z`));
    const other = pending('b-1', '2026-01-01T00:08:00Z', { agentRef: { name: 'other-agent' } });
    expect(checkLimits(other, [busy, ...backlog, other], new Set(), l, now)).toBeUndefined();
    // The backlog's own next run still waits for its agent.
    expect(checkLimits(backlog[0]!, [busy, ...backlog, other], new Set(), l, now)).toMatchObject({ scope: 'agent' });
  });

  it("counts only as many of one agent's older runs ahead as that agent has free slots", () => {
    const l = limits({
      JANGAR_AGENTS_CONTROLLER_CONCURRENCY_AGENT: '2',
      JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '3',
    });
    const backlog = [1, 2, 3, 4].map((i) => pending(`a-${i}`, `2026-01-01T00:0${i}:00Z`));
    const other = pending('b-1', '2026-01-01T00:08:00Z', { agentRef: { name: 'other-agent' } });
    // 2 of the 4 older runs can start (the agent's limit): 2 ahead < 3, so b-1 takes the third slot.
    expect(checkLimits(other, [...backlog, other], new Set(), l, now)).toBeUndefined();
  });

  it('gives no place in line to an older run that waits for its provider or a dependency', () => {
    const waiting = makeRun('waits')
      .created('2026-01-01T00:00:00Z')
      .status({
        phase: 'Pending',
        conditions: [
          {
            type: 'Blocked',
            status: 'True',
            reason: 'MissingAgent',
            message: '',
            lastTransitionTime: '2026-01-01T00:00:01Z',
          },
        ],
      })
      .build();
    const run = pending('ready', '2026-01-01T00:05:00Z');
    const l = limits({ JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '1' });
    expect(checkLimits(run, [waiting, run], new Set(), l, now)).toBeUndefined();
  });

  it('words a hold by its limit, not live counts, so a held run is not rewritten at every change elsewhere', () => {
    const l = limits({ JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '2' });
    const run = pending('held', '2026-01-01T00:09:00Z');
    const twoRunning = checkLimits(run, [running('x'), running('y'), run], new Set(), l, now);
    const oneRunningOneOlder = checkLimits(
      run,
      [running('x'), pending('older', '2026-01-01T00:01:00Z'), run],
      new Set(),
      l,
      now,
    );
    expect(twoRunning?.message).toBe('this namespace is at its limit of 2 concurrent runs (older runs first)');
    expect(oneRunningOneOlder?.message).toBe(twoRunning?.message);
  });

  it('counts a submitted run whose pod has not started (Pending with its Job) as running, never as queued', () => {
    const submitted = makeRun('submitted')
      .created('2026-01-01T00:00:00Z')
      .status({
        phase: 'Pending',
        runtimeRef: { type: 'job', name: 'submitted-job' },
        startedAt: '2026-01-01T00:00:01Z',
      })
      .build();
    const run = pending('next', '2026-01-01T00:05:00Z');
    const l = limits({ JANGAR_AGENTS_CONTROLLER_CONCURRENCY_NAMESPACE: '1' });
    expect(checkLimits(run, [submitted, run], new Set(), l, now)).toMatchObject({
      reason: 'ConcurrencyLimit',
      scope: 'namespace',
    });
    expect(
      checkLimits(run, [submitted, run], new Set(), limits({ JANGAR_AGENTS_CONTROLLER_QUEUE_NAMESPACE: '1' }), now),
    ).toBeUndefined();
  });

  it('applies per-repository concurrency only when enabled', () => {
    const run = pending('b', '2026-01-01T00:00:00Z', { parameters: { repository: 'Acme/App' } });
    const other = running('a', { agentRef: { name: 'x' }, parameters: { repository: 'acme/app' } });
    expect(checkLimits(run, [other, run], new Set(), limits({}), now)).toBeUndefined();
    const on = limits({
      JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_ENABLED: 'true',
      JANGAR_AGENTS_CONTROLLER_REPO_CONCURRENCY_OVERRIDES: '{"acme/app":1}',
    });
    expect(checkLimits(run, [other, run], new Set(), on, now)).toMatchObject({
      reason: 'ConcurrencyLimit',
      scope: 'repo',
    });
  });
});

describe('checkDuplicate', () => {
  const keyed = (name: string, created: string, status?: AgentRun['status']) =>
    makeRun(name).spec({ idempotencyKey: 'k1' }).created(created).status(status).build();

  it('lets the oldest run with a key own it', () => {
    const a = keyed('a', '2026-01-01T00:00:00Z');
    const b = keyed('b', '2026-01-01T00:01:00Z');
    expect(checkDuplicate(a, [a, b])).toEqual({ duplicate: false });
    expect(checkDuplicate(b, [a, b])).toEqual({ duplicate: true, reason: 'IdempotencyKeyInUse', owner: 'a' });
  });

  it('says the key is completed when its owner has finished', () => {
    const a = keyed('a', '2026-01-01T00:00:00Z', { phase: 'Succeeded' });
    const b = keyed('b', '2026-01-01T00:01:00Z');
    expect(checkDuplicate(b, [a, b])).toMatchObject({ reason: 'IdempotencyKeyCompleted' });
  });

  it('keeps a run that already started as the owner, even against one created in the same second that sorts first', () => {
    const started = keyed('zeta', '2026-01-01T00:00:00Z', { phase: 'Running', startedAt: '2026-01-01T00:00:00Z' });
    const late = keyed('alpha', '2026-01-01T00:00:00Z');
    expect(checkDuplicate(late, [started, late])).toEqual({
      duplicate: true,
      reason: 'IdempotencyKeyInUse',
      owner: 'zeta',
    });
    expect(checkDuplicate(started, [started, late])).toEqual({ duplicate: false });
  });

  it('ignores runs of another agent or without the key', () => {
    const a = makeRun('a')
      .spec({ idempotencyKey: 'k1', agentRef: { name: 'other' } })
      .created('2026-01-01T00:00:00Z')
      .build();
    const b = keyed('b', '2026-01-01T00:01:00Z');
    expect(checkDuplicate(b, [a, b])).toEqual({ duplicate: false });
    expect(checkDuplicate(makeRun('c').build(), [a, b])).toEqual({ duplicate: false });
  });
});
