import { setCondition, statusChanged } from './conditions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');

describe('setCondition', () => {
  it('adds a condition with the transition time and observed generation', () => {
    expect(setCondition([], { type: 'Ready', status: 'True', reason: 'ValidSpec', message: 'ok' }, 3, t0)).toEqual([
      {
        type: 'Ready',
        status: 'True',
        reason: 'ValidSpec',
        message: 'ok',
        lastTransitionTime: '2026-01-01T00:00:00Z',
        observedGeneration: 3,
      },
    ]);
  });

  it('keeps the transition time when only reason or message change', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'A' }, 1, t0);
    const second = setCondition(first, { type: 'Ready', status: 'False', reason: 'B', message: 'changed' }, 2, t1);
    expect(second[0]).toMatchObject({
      reason: 'B',
      message: 'changed',
      lastTransitionTime: '2026-01-01T00:00:00Z',
      observedGeneration: 2,
    });
  });

  it('moves the transition time when the status flips', () => {
    const first = setCondition([], { type: 'Ready', status: 'False', reason: 'A' }, 1, t0);
    expect(setCondition(first, { type: 'Ready', status: 'True', reason: 'A' }, 1, t1)[0]!.lastTransitionTime).toBe(
      '2026-01-01T00:05:00Z',
    );
  });

  it('defaults an empty reason, truncates long messages and never mutates its input', () => {
    const input = Object.freeze([]) as never;
    const out = setCondition(
      input,
      { type: 'Ready', status: 'True', reason: '', message: 'x'.repeat(5000) },
      undefined,
      t0,
    );
    expect(out[0]!.reason).toBe('Reconciled');
    expect(out[0]!.message).toHaveLength(1024);
    expect(out[0]).not.toHaveProperty('observedGeneration');
  });
});

describe('statusChanged', () => {
  it.each([
    ['only updatedAt differs', { phase: 'Running', updatedAt: 'a' }, { phase: 'Running', updatedAt: 'b' }, false],
    ['the phase differs', { phase: 'Running' }, { phase: 'Succeeded' }, true],
    ['a field was added', { phase: 'Running' }, { phase: 'Running', startedAt: 'x' }, true],
    ['nothing was there before', undefined, { phase: 'Pending' }, true],
  ])('%s', (_case, before, after, want) => {
    expect(statusChanged(before, after)).toBe(want);
  });
});
