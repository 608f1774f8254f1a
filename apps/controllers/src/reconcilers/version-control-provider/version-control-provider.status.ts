import {
  ConditionType,
  VersionControlProviderReason as R,
  type VersionControlProvider,
  type VersionControlProviderStatus,
} from '@agents/api';
import { rfc3339, setCondition } from '@agents/kube';

type Spec = VersionControlProvider['spec'];
export type AuthMethod = 'token' | 'app' | 'ssh' | 'none';

/** Auth methods each provider supports, and the username git uses with a token. */
export const PROVIDER_AUTH: Record<Spec['provider'], { methods: AuthMethod[]; username: string }> = {
  github: { methods: ['token', 'app', 'ssh', 'none'], username: 'x-access-token' },
  gitlab: { methods: ['token', 'ssh', 'none'], username: 'oauth2' },
  bitbucket: { methods: ['token', 'ssh', 'none'], username: 'x-token-auth' },
  gitea: { methods: ['token', 'ssh', 'none'], username: 'git' },
  generic: { methods: ['token', 'ssh', 'none'], username: 'git' },
};

export function authMethodOf(spec: Spec): AuthMethod {
  const a = spec.auth;
  if (a?.method) return a.method;
  if (a?.token?.secretRef) return 'token';
  if (a?.app) return 'app';
  if (a?.ssh?.privateKeySecretRef) return 'ssh';
  return 'none';
}

/** Names of the Secrets and ConfigMaps the auth configuration reads, to fetch before computing the status. */
export function authObjects(spec: Spec): { secrets: string[]; configMaps: string[] } {
  const a = spec.auth;
  const method = authMethodOf(spec);
  const secrets = [
    method === 'token' ? a?.token?.secretRef?.name : undefined,
    method === 'app' ? a?.app?.privateKeySecretRef?.name : undefined,
    method === 'ssh' ? a?.ssh?.privateKeySecretRef?.name : undefined,
  ].filter((n): n is string => !!n);
  const configMaps =
    method === 'ssh' && a?.ssh?.knownHostsConfigMapRef?.name ? [a.ssh.knownHostsConfigMapRef.name] : [];
  return { secrets, configMaps };
}

/** Observed keys of the referenced Secrets/ConfigMaps by name (undefined = does not exist). */
export interface AuthObjects {
  secrets: Record<string, string[] | undefined>;
  configMaps: Record<string, string[] | undefined>;
}

const GLOB = /^[A-Za-z0-9._/*-]+$/;

function authProblem(spec: Spec, seen: AuthObjects): { reason: string; message: string } | undefined {
  const method = authMethodOf(spec);
  const allowed = PROVIDER_AUTH[spec.provider].methods;
  if (!allowed.includes(method)) {
    return {
      reason: R.UnsupportedAuth,
      message: `auth method ${method} is not supported for ${spec.provider} (supported: ${allowed.join(', ')})`,
    };
  }
  const secretKey = (ref: { name: string; key?: string } | undefined, defaultKey: string, what: string) => {
    if (!ref?.name) return { reason: R.MissingSecretRef, message: `${what} needs a secretRef` };
    const keys = seen.secrets[ref.name];
    if (!keys) return { reason: R.SecretNotFound, message: `Secret ${ref.name} not found` };
    const key = ref.key ?? defaultKey;
    if (!keys.includes(key)) return { reason: R.SecretKeyMissing, message: `Secret ${ref.name} has no key ${key}` };
    return undefined;
  };
  const a = spec.auth;
  if (method === 'token') return secretKey(a?.token?.secretRef, 'token', 'token auth');
  if (method === 'app') {
    if (a?.app?.appId === undefined || a.app.installationId === undefined || !a.app.privateKeySecretRef) {
      return { reason: R.MissingAppAuth, message: 'app auth needs appId, installationId and privateKeySecretRef' };
    }
    return secretKey(a.app.privateKeySecretRef, 'privateKey', 'app auth');
  }
  if (method === 'ssh') {
    const keyProblem = secretKey(a?.ssh?.privateKeySecretRef, 'privateKey', 'ssh auth');
    if (keyProblem) return keyProblem;
    const kh = a?.ssh?.knownHostsConfigMapRef;
    if (kh?.name) {
      const keys = seen.configMaps[kh.name];
      if (!keys) return { reason: R.ConfigMapNotFound, message: `ConfigMap ${kh.name} not found` };
      const key = kh.key ?? 'known_hosts';
      if (!keys.includes(key))
        return { reason: R.ConfigMapKeyMissing, message: `ConfigMap ${kh.name} has no key ${key}` };
    }
  }
  return undefined;
}

export function versionControlProviderStatus(
  vcp: VersionControlProvider,
  seen: AuthObjects,
  deprecatedTokenTypes: Record<string, string[]>,
  vcsEnabled: boolean,
  now: Date,
): VersionControlProviderStatus {
  const gen = vcp.metadata.generation;
  const spec = vcp.spec;
  let conditions = vcp.status?.conditions;
  const set = (type: string, status: 'True' | 'False', reason: string, message = '') =>
    (conditions = setCondition(conditions, { type, status, reason, message }, gen, now));
  const done = (): VersionControlProviderStatus => ({
    ...vcp.status,
    conditions,
    observedGeneration: gen,
    lastValidatedAt: rfc3339(now),
  });

  if (!vcsEnabled) {
    set(
      ConditionType.Ready,
      'False',
      R.VcsProvidersDisabled,
      'version control providers are disabled (controller.vcsProviders.enabled)',
    );
    return done();
  }
  const badPattern = [...(spec.repositoryPolicy?.allow ?? []), ...(spec.repositoryPolicy?.deny ?? [])].find(
    (p) => !GLOB.test(p),
  );
  if (badPattern !== undefined) {
    const message = `repository pattern ${JSON.stringify(badPattern)} may only use letters, digits, . _ - / and *`;
    set(ConditionType.Ready, 'False', R.InvalidRepositoryPolicy, message);
    set(ConditionType.InvalidSpec, 'True', R.InvalidRepositoryPolicy, message);
    return done();
  }
  const problem = authProblem(spec, seen);
  const invalid =
    problem &&
    [R.UnsupportedAuth, R.MissingSecretRef, R.MissingAppAuth, R.SecretKeyMissing, R.ConfigMapKeyMissing].includes(
      problem.reason as never,
    );
  if (problem) {
    set(ConditionType.Ready, 'False', problem.reason, problem.message);
    set(
      ConditionType.InvalidSpec,
      invalid ? 'True' : 'False',
      invalid ? problem.reason : 'ValidSpec',
      invalid ? problem.message : '',
    );
  } else {
    const method = authMethodOf(spec);
    set(
      ConditionType.Ready,
      'True',
      method === 'none' ? R.NoAuth : R.AuthReady,
      method === 'none' ? 'no credentials (public repositories only)' : `${method} credentials resolved`,
    );
    set(ConditionType.InvalidSpec, 'False', 'ValidSpec');
  }
  const tokenType = spec.auth?.token?.type ?? (spec.provider === 'github' ? 'fine_grained' : undefined);
  const deprecated =
    authMethodOf(spec) === 'token' && tokenType && (deprecatedTokenTypes[spec.provider] ?? []).includes(tokenType);
  if (deprecated)
    set(
      ConditionType.Warning,
      'True',
      R.DeprecatedTokenType,
      `${spec.provider} token type ${tokenType} is deprecated; use a fine-grained token or app auth`,
    );
  else set(ConditionType.Warning, 'False', 'None');
  return done();
}
