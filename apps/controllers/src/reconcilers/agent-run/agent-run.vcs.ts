import {
  AgentRunReason as R,
  renderTemplate,
  type Agent,
  type AgentRun,
  type ImplementationSpecFields,
  type VersionControlProvider,
} from '@agents/api';
import { PROVIDER_AUTH, authMethodOf } from '../version-control-provider/version-control-provider.status.js';
import type { AppInstallation } from './github-app-token.js';
import { matchesAny } from './glob.js';

export type VcsMode = 'read-write' | 'read-only' | 'none';

export interface EnvVarSpec {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } };
}

export interface VcsContext {
  provider: string;
  providerName: string;
  repository: string;
  baseBranch: string;
  headBranch: string;
  mode: VcsMode;
  env: EnvVarSpec[];
  /** Secrets the runner reads for VCS credentials (checked against the allow and block lists). */
  secrets: string[];
  sshSecret?: { name: string; key: string };
  knownHosts?: { name: string; key: string };
  /** `auth.method: app`: the installation whose token the controller mints before the Job (see withAppToken). */
  app?: AppInstallation & { privateKey: { name: string; key: string } };
  /** Whether the run must fail, rather than go on read-only, when no write credentials can be had. */
  required: boolean;
}

export type VcsResolution =
  | { kind: 'skip'; reason: string; message: string }
  | { kind: 'fail'; reason: string; message: string }
  | { kind: 'resolved'; context: VcsContext };

export interface VcsConfig {
  enabled: boolean;
  prRateLimits: Record<string, unknown>;
}

/** `owner/repo` from the run's parameters or the implementation's GitHub external id (`owner/repo#N`). */
export function repositoryOf(
  parameters: Record<string, string>,
  implementation: ImplementationSpecFields | undefined,
): string | undefined {
  const fromParams = parameters.repository ?? parameters.repo ?? parameters.issueRepository;
  if (fromParams) return fromParams;
  const ext = implementation?.source?.provider === 'github' ? implementation.source.externalId : undefined;
  return ext?.match(/^([^/#\s]+\/[^/#\s]+)#\d+$/)?.[1];
}

/** Resolves the Git context of a run (REFERENCE §3.6): provider, repository, branches, mode, credentials as env. */
export function resolveVcs(
  run: AgentRun,
  agent: Agent,
  implementation: ImplementationSpecFields | undefined,
  parameters: Record<string, string>,
  lookup: (name: string) => VersionControlProvider | undefined,
  config: VcsConfig,
): VcsResolution {
  const desired: VcsMode = run.spec.vcsPolicy?.mode ?? 'read-write';
  const required = run.spec.vcsPolicy?.required ?? false;
  const skipOrFail = (reason: string, message: string): VcsResolution =>
    required && desired !== 'none' ? { kind: 'fail', reason, message } : { kind: 'skip', reason, message };
  if (!config.enabled)
    return { kind: 'skip', reason: R.VcsProvidersDisabled, message: 'version control providers are disabled' };
  if (desired === 'none') return { kind: 'skip', reason: R.VcsDisabled, message: 'vcsPolicy.mode is none' };
  const refName = run.spec.vcsRef?.name ?? implementation?.vcsRef?.name ?? agent.spec.vcsRef?.name;
  if (!refName) return skipOrFail(R.MissingVcsProvider, 'no vcsRef on the run, its implementation or its agent');
  const vcp = lookup(refName);
  if (!vcp) return skipOrFail(R.MissingVcsProvider, `VersionControlProvider ${refName} not found`);
  const repository = repositoryOf(parameters, implementation);
  if (!repository) return skipOrFail(R.MissingRepository, 'no repository: set parameters.repository (owner/repo)');
  const policy = vcp.spec.repositoryPolicy ?? {};
  if (
    matchesAny(policy.deny ?? [], repository) ||
    ((policy.allow ?? []).length > 0 && !matchesAny(policy.allow ?? [], repository))
  ) {
    return {
      kind: 'fail',
      reason: R.VcsPolicyDenied,
      message: `repository ${repository} is not allowed by VersionControlProvider ${refName}`,
    };
  }
  const caps = vcp.spec.capabilities ?? {};
  let mode: VcsMode = desired;
  if (mode === 'read-write' && caps.write === false) mode = 'read-only';
  if (mode === 'read-only' && caps.read === false) mode = 'none';
  if (required && mode !== desired) {
    return {
      kind: 'fail',
      reason: R.VcsCapabilityDenied,
      message: `VersionControlProvider ${refName} allows ${mode}, the run requires ${desired}`,
    };
  }
  const method = authMethodOf(vcp.spec);
  const a = vcp.spec.auth;
  const env: EnvVarSpec[] = [];
  const secrets: string[] = [];
  let sshSecret: VcsContext['sshSecret'];
  let knownHosts: VcsContext['knownHosts'];
  let app: VcsContext['app'];
  const apiBaseUrl = vcp.spec.apiBaseUrl ?? (vcp.spec.provider === 'github' ? 'https://api.github.com' : '');
  if (method === 'token' && a?.token?.secretRef?.name) {
    const ref = { name: a.token.secretRef.name, key: a.token.secretRef.key ?? 'token' };
    secrets.push(ref.name);
    const names = vcp.spec.provider === 'github' ? ['VCS_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN'] : ['VCS_TOKEN'];
    for (const name of names) env.push({ name, valueFrom: { secretKeyRef: ref } });
  } else if (method === 'ssh' && a?.ssh?.privateKeySecretRef?.name) {
    sshSecret = { name: a.ssh.privateKeySecretRef.name, key: a.ssh.privateKeySecretRef.key ?? 'privateKey' };
    secrets.push(sshSecret.name);
    if (a.ssh.knownHostsConfigMapRef?.name)
      knownHosts = { name: a.ssh.knownHostsConfigMapRef.name, key: a.ssh.knownHostsConfigMapRef.key ?? 'known_hosts' };
  } else if (method === 'app') {
    const { appId, installationId, privateKeySecretRef, tokenTtlSeconds } = a?.app ?? {};
    if (appId !== undefined && installationId !== undefined && privateKeySecretRef?.name && apiBaseUrl) {
      app = {
        apiBaseUrl,
        appId: String(appId),
        installationId: String(installationId),
        tokenTtlSeconds: tokenTtlSeconds ?? 0,
        privateKey: { name: privateKeySecretRef.name, key: privateKeySecretRef.key ?? 'privateKey' },
      };
      secrets.push(app.privateKey.name);
    } else if (mode === 'read-write') {
      if (required)
        return {
          kind: 'fail',
          reason: R.UnsupportedVcsAuth,
          message: `VersionControlProvider ${refName}: auth.app needs appId, installationId, privateKeySecretRef.name and an apiBaseUrl`,
        };
      mode = 'read-only';
    }
  } else if (method === 'none' && mode === 'read-write') {
    if (required)
      return {
        kind: 'fail',
        reason: R.VcsAuthUnavailable,
        message: `VersionControlProvider ${refName} has no credentials for read-write`,
      };
    mode = 'read-only';
  }
  const d = vcp.spec.defaults ?? {};
  const ctx = { agentRun: { name: run.metadata.name, namespace: run.metadata.namespace }, repository, parameters };
  const baseBranch = parameters.base ?? d.baseBranch ?? 'main';
  const rendered = d.branchTemplate ? renderTemplate(d.branchTemplate, ctx).trim() : '';
  const headBranch = parameters.head ?? (/^[\w./-]+$/.test(rendered) ? rendered : `agents/${run.metadata.name}`);
  const write = mode === 'read-write';
  const prs = write && caps.pullRequests !== false && d.pullRequest?.enabled !== false;
  const username = a?.username ?? PROVIDER_AUTH[vcp.spec.provider].username;
  const plain: [string, string | undefined][] = [
    ['VCS_PROVIDER', vcp.spec.provider],
    ['VCS_PROVIDER_NAME', refName],
    ['VCS_API_BASE_URL', apiBaseUrl],
    ['VCS_CLONE_BASE_URL', vcp.spec.cloneBaseUrl],
    ['VCS_WEB_BASE_URL', vcp.spec.webBaseUrl],
    ['VCS_REPOSITORY', repository],
    ['VCS_BASE_BRANCH', baseBranch],
    ['VCS_HEAD_BRANCH', headBranch],
    ['VCS_CLONE_PROTOCOL', vcp.spec.cloneProtocol ?? (method === 'ssh' ? 'ssh' : 'https')],
    ['VCS_SSH_HOST', vcp.spec.sshHost],
    ['VCS_SSH_USER', vcp.spec.sshUser],
    ['VCS_USERNAME', username],
    ['GIT_ASKPASS_USERNAME', username],
    ['VCS_BRANCH_TEMPLATE', d.branchTemplate],
    ['VCS_BRANCH_CONFLICT_SUFFIX_TEMPLATE', d.branchConflictSuffixTemplate],
    ['VCS_COMMIT_AUTHOR_NAME', d.commitAuthorName],
    ['VCS_COMMIT_AUTHOR_EMAIL', d.commitAuthorEmail],
    ['GIT_AUTHOR_NAME', d.commitAuthorName],
    ['GIT_AUTHOR_EMAIL', d.commitAuthorEmail],
    ['GIT_COMMITTER_NAME', d.commitAuthorName],
    ['GIT_COMMITTER_EMAIL', d.commitAuthorEmail],
    ['VCS_PR_TITLE_TEMPLATE', d.pullRequest?.titleTemplate],
    ['VCS_PR_BODY_TEMPLATE', d.pullRequest?.bodyTemplate],
    ['VCS_PR_DRAFT', String(d.pullRequest?.draft ?? false)],
    ['VCS_PR_RATE_LIMITS', JSON.stringify(config.prRateLimits)],
    ['VCS_WRITE_ENABLED', String(write)],
    ['VCS_PULL_REQUESTS_ENABLED', String(prs)],
    ['VCS_MODE', mode],
  ];
  for (const [name, value] of plain) if (value) env.push({ name, value });
  if (sshSecret) env.push({ name: 'VCS_SSH_KEY_PATH', value: '/var/run/secrets/agents/vcs/ssh/key' });
  if (knownHosts)
    env.push({ name: 'VCS_SSH_KNOWN_HOSTS_PATH', value: '/var/run/secrets/agents/vcs/known-hosts/known_hosts' });
  return {
    kind: 'resolved',
    context: {
      provider: vcp.spec.provider,
      providerName: refName,
      repository,
      baseBranch,
      headBranch,
      mode,
      env,
      secrets,
      sshSecret,
      knownHosts,
      app,
      required,
    },
  };
}

/** The context with a minted App token, as plain env the runner reads like a token secret's (REFERENCE §3.6). */
export function withAppToken(context: VcsContext, token: string): VcsContext {
  const names = context.provider === 'github' ? ['VCS_TOKEN', 'GITHUB_TOKEN', 'GH_TOKEN'] : ['VCS_TOKEN'];
  return { ...context, env: [...names.map((name) => ({ name, value: token })), ...context.env] };
}

/** The context of a run that goes on without write credentials: read-only, no pull requests. */
export function readOnly(context: VcsContext): VcsContext {
  if (context.mode !== 'read-write') return context;
  const override: Record<string, string> = {
    VCS_MODE: 'read-only',
    VCS_WRITE_ENABLED: 'false',
    VCS_PULL_REQUESTS_ENABLED: 'false',
  };
  return {
    ...context,
    mode: 'read-only',
    env: context.env.map((e) => (e.name in override ? { name: e.name, value: override[e.name] } : e)),
  };
}
