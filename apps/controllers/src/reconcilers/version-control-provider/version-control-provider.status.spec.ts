import type { VersionControlProvider } from '@agents/api';
import { versionControlProviderStatus, type AuthObjects } from './version-control-provider.status.js';

const now = new Date('2026-01-01T00:00:00Z');
const vcp = (spec: Partial<VersionControlProvider['spec']>): VersionControlProvider => ({
  apiVersion: 'x',
  kind: 'VersionControlProvider',
  metadata: { name: 'github', generation: 1 },
  spec: { provider: 'github', ...spec },
});
const seen = (secrets: AuthObjects['secrets'] = {}, configMaps: AuthObjects['configMaps'] = {}): AuthObjects => ({
  secrets,
  configMaps,
});
const ready = (v: VersionControlProvider, s: AuthObjects, enabled = true) =>
  versionControlProviderStatus(v, s, { github: ['pat'] }, enabled, now).conditions?.find((c) => c.type === 'Ready');

describe('versionControlProviderStatus', () => {
  const token = { method: 'token' as const, token: { secretRef: { name: 'gh' } } };
  it.each([
    ['token auth with its secret and key', vcp({ auth: token }), seen({ gh: ['token'] }), 'True', 'AuthReady'],
    ['token auth whose secret is missing', vcp({ auth: token }), seen(), 'False', 'SecretNotFound'],
    ['token auth whose key is missing', vcp({ auth: token }), seen({ gh: ['pat'] }), 'False', 'SecretKeyMissing'],
    ['token auth without secretRef', vcp({ auth: { method: 'token' } }), seen(), 'False', 'MissingSecretRef'],
    [
      'app auth without ids',
      vcp({ auth: { method: 'app', app: { privateKeySecretRef: { name: 'k' } } } }),
      seen(),
      'False',
      'MissingAppAuth',
    ],
    [
      'app auth complete',
      vcp({ auth: { method: 'app', app: { appId: 1, installationId: '2', privateKeySecretRef: { name: 'k' } } } }),
      seen({ k: ['privateKey'] }),
      'True',
      'AuthReady',
    ],
    ['app auth on gitlab', vcp({ provider: 'gitlab', auth: { method: 'app' } }), seen(), 'False', 'UnsupportedAuth'],
    [
      'ssh auth with a missing known_hosts ConfigMap',
      vcp({
        auth: { method: 'ssh', ssh: { privateKeySecretRef: { name: 'k' }, knownHostsConfigMapRef: { name: 'kh' } } },
      }),
      seen({ k: ['privateKey'] }),
      'False',
      'ConfigMapNotFound',
    ],
    ['no auth', vcp({ auth: { method: 'none' } }), seen(), 'True', 'NoAuth'],
    [
      'a repository pattern with a space',
      vcp({ repositoryPolicy: { allow: ['acme/ repo'] } }),
      seen(),
      'False',
      'InvalidRepositoryPolicy',
    ],
  ])('%s', (_c, v, s, status, reason) => {
    expect(ready(v, s)).toMatchObject({ status, reason });
  });

  it('is not ready while version control providers are disabled', () => {
    expect(ready(vcp({}), seen(), false)).toMatchObject({ status: 'False', reason: 'VcsProvidersDisabled' });
  });

  it('warns about a deprecated token type', () => {
    const s = versionControlProviderStatus(
      vcp({ auth: { method: 'token', token: { type: 'pat', secretRef: { name: 'gh' } } } }),
      seen({ gh: ['token'] }),
      { github: ['pat'] },
      true,
      now,
    );
    expect(s.conditions?.find((c) => c.type === 'Warning')).toMatchObject({
      status: 'True',
      reason: 'DeprecatedTokenType',
    });
  });
});
