import type { AgentProvider, AgentRun } from '@agents/api';
import { agentProviderStatus, needsAuthSecret, recentHealth, type AuthSecretCheck } from './agent-provider.status.js';

const now = new Date('2026-01-01T12:00:00Z');
const provider = (spec: Partial<AgentProvider['spec']> = {}): AgentProvider => ({
  apiVersion: 'agents.proompteng.ai/v1alpha1',
  kind: 'AgentProvider',
  metadata: { name: 'p', namespace: 'ns', generation: 1 },
  spec: { binary: '/bin/sh', ...spec },
});
const run = (phase: string, finishedAt: string, message = ''): AgentRun => ({
  apiVersion: 'x',
  kind: 'AgentRun',
  metadata: { name: `r-${finishedAt}` },
  spec: { agentRef: { name: 'a' }, runtime: { type: 'job' } },
  status: { phase, finishedAt, message },
});
const cond = (p: AgentProvider, auth: AuthSecretCheck, runs: AgentRun[], type: string) =>
  agentProviderStatus(p, auth, runs, now).conditions?.find((c) => c.type === type);

describe('agentProviderStatus', () => {
  const none: AuthSecretCheck = { state: 'not-needed' };

  it.each([
    ['a plain provider is ready', provider(), none, 'True', 'ValidSpec'],
    [
      'a malformed argument template is invalid',
      provider({ argsTemplate: ['{{ agentRun.name'] }),
      none,
      'False',
      'InvalidTemplate',
    ],
    ['a malformed env template is invalid', provider({ envTemplate: { A: 'x }}' } }), none, 'False', 'InvalidTemplate'],
    [
      'an auth provider without configured secret',
      provider({ binary: '/usr/local/bin/codex' }),
      { state: 'unconfigured' },
      'False',
      'MissingAuthSecretConfig',
    ],
    [
      'an auth provider whose secret is gone',
      provider({ binary: '/usr/local/bin/codex' }),
      { state: 'missing', name: 'auth' },
      'False',
      'AuthSecretNotFound',
    ],
    [
      'an auth secret that is not JSON',
      provider({ binary: 'codex' }),
      { state: 'present', name: 'a', content: 'nope' },
      'False',
      'InvalidAuthSecret',
    ],
    [
      'an unsupported auth mode',
      provider({ binary: 'codex' }),
      { state: 'present', name: 'a', content: '{"auth_mode":"sso"}' },
      'False',
      'UnsupportedAuthMode',
    ],
    [
      'a valid auth secret',
      provider({ binary: 'codex' }),
      { state: 'present', name: 'a', content: '{"auth_mode":"apikey"}' },
      'True',
      'ValidSpec',
    ],
  ])('%s', (_c, p, auth, status, reason) => {
    expect(cond(p, auth as AuthSecretCheck, [], 'Ready')).toMatchObject({ status, reason });
  });

  it('reports a missing auth secret as unreachable, not as an invalid spec', () => {
    const p = provider({ binary: 'codex' });
    expect(cond(p, { state: 'missing', name: 'a' }, [], 'Unreachable')?.status).toBe('True');
    expect(cond(p, { state: 'missing', name: 'a' }, [], 'InvalidSpec')?.status).toBe('False');
  });

  it('becomes unreachable after a recent authentication failure, until a later success', () => {
    const failed = run('Failed', '2026-01-01T11:00:00Z', 'runner failed: token_expired');
    expect(cond(provider(), none, [failed], 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProviderAuthUnavailable',
    });
    const later = run('Succeeded', '2026-01-01T11:30:00Z');
    expect(cond(provider(), none, [failed, later], 'Ready')).toMatchObject({ status: 'True' });
  });

  it('stays ready but degraded on capacity failures unless the policy blocks', () => {
    const failed = run('Failed', '2026-01-01T11:00:00Z', 'insufficient_quota');
    expect(cond(provider(), none, [failed], 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ProviderCapacityExhausted',
    });
    expect(cond(provider(), none, [failed], 'Ready')?.status).toBe('True');
    expect(cond(provider({ health: { capacityFailurePolicy: 'block' } }), none, [failed], 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProviderCapacityExhausted',
    });
  });

  it('trusts the reason a run failed with when its pod logs were classified', () => {
    const byReason = (reason: string): AgentRun => {
      const r = run('Failed', '2026-01-01T11:00:00Z', 'Job r-job failed');
      return { ...r, status: { ...r.status, reason } };
    };
    expect(recentHealth([byReason('ProviderAuthUnavailable')], now)).toBe('auth');
    expect(recentHealth([byReason('ProviderCapacityExhausted')], now)).toBe('capacity');
    expect(recentHealth([byReason('JobFailed')], now)).toBeUndefined();
  });

  it('forgets failures older than two hours', () => {
    expect(recentHealth([run('Failed', '2026-01-01T09:00:00Z', 'token_expired')], now)).toBeUndefined();
  });

  it.each([
    [
      'a success after the failure clears it, in whatever order the cache lists them',
      [run('Succeeded', '2026-01-01T11:45:00Z'), run('Failed', '2026-01-01T11:30:00Z', 'token_expired')],
      undefined,
    ],
    [
      'the latest classified failure since the last success decides; an unclassified one later does not hide it',
      [
        run('Failed', '2026-01-01T11:50:00Z', 'exit code 1'),
        run('Succeeded', '2026-01-01T11:00:00Z'),
        run('Failed', '2026-01-01T11:20:00Z', 'rate limit exceeded'),
        run('Failed', '2026-01-01T11:40:00Z', 'token_expired'),
      ],
      'auth',
    ],
    [
      'a success in the same second as a failure clears it',
      [run('Failed', '2026-01-01T11:30:00Z', 'token_expired'), run('Succeeded', '2026-01-01T11:30:00Z')],
      undefined,
    ],
    [
      'a cancelled run says nothing about the provider',
      [run('Failed', '2026-01-01T11:00:00Z', 'token_expired'), run('Cancelled', '2026-01-01T11:30:00Z')],
      'auth',
    ],
  ])('%s', (_, runs, health) => {
    expect(recentHealth(runs, now)).toBe(health);
    expect(recentHealth([...runs].reverse(), now)).toBe(health);
  });
});

describe('needsAuthSecret', () => {
  it.each([
    ['a codex binary', { binary: '/usr/local/bin/codex' }, true],
    [
      'an input file in the codex home',
      { binary: '/bin/sh', inputFiles: [{ path: '/root/.codex/config.toml', content: '' }] },
      true,
    ],
    ['a plain shell', { binary: '/bin/sh' }, false],
  ])('%s', (_c, spec, want) => {
    expect(needsAuthSecret(provider(spec))).toBe(want);
  });
});
