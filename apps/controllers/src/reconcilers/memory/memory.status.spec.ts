import type { Memory } from '@agents/api';
import { memoryStatus, type SecretKeys } from './memory.status.js';

const now = new Date('2026-01-01T00:00:00Z');
const memory = (key?: string): Memory => ({
  apiVersion: 'x',
  kind: 'Memory',
  metadata: { name: 'm', generation: 1 },
  spec: { type: 'postgres', connection: { secretRef: { name: 'db', ...(key ? { key } : {}) } } },
});

describe('memoryStatus', () => {
  it.each([
    ['a secret with the key resolves', memory('url'), ['url'], 'True', 'SecretResolved'],
    ['a secret without a named key is enough', memory(), ['anything'], 'True', 'SecretResolved'],
    ['a missing secret is unreachable', memory('url'), undefined, 'False', 'SecretNotFound'],
    ['a missing key is an invalid spec', memory('url'), ['uri'], 'False', 'SecretKeyMissing'],
  ])('%s', (_c, m, secret, status, reason) => {
    const s = memoryStatus(m, secret as SecretKeys, now);
    expect(s.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status, reason });
    expect(s.lastCheckedAt).toBe('2026-01-01T00:00:00Z');
  });
});
