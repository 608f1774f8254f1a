import type { ImplementationSpec } from '@agents/api';
import { implementationSpecStatus } from './implementation-spec.status.js';

const now = new Date('2026-01-01T00:00:00Z');
const spec = (s: Partial<ImplementationSpec['spec']>, status?: ImplementationSpec['status']): ImplementationSpec => ({
  apiVersion: 'x',
  kind: 'ImplementationSpec',
  metadata: { name: 'i', generation: 1 },
  spec: { text: 'do it', ...s },
  status,
});

describe('implementationSpecStatus', () => {
  it.each([
    ['a complete spec is ready', {}, 'True', 'ValidSpec'],
    ['blank text', { text: '   ' }, 'False', 'MissingText'],
    ['a blank required contract key', { contract: { requiredKeys: ['repo', ' '] } }, 'False', 'InvalidContract'],
    ['a mapping without target', { contract: { mappings: [{ from: 'a', to: '' }] } }, 'False', 'InvalidContract'],
  ])('%s', (_c, s, status, reason) => {
    expect(implementationSpecStatus(spec(s), now).conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status,
      reason,
    });
  });

  it('sets syncedAt once and keeps the source version', () => {
    expect(implementationSpecStatus(spec({}), now).syncedAt).toBe('2026-01-01T00:00:00Z');
    const kept = implementationSpecStatus(spec({}, { syncedAt: '2025-01-01T00:00:00Z', sourceVersion: 'v7' }), now);
    expect([kept.syncedAt, kept.sourceVersion]).toEqual(['2025-01-01T00:00:00Z', 'v7']);
  });
});
