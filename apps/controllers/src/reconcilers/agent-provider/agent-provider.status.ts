import {
  AgentProviderReason,
  AgentRunReason,
  ConditionType,
  templateError,
  type AgentProvider,
  type AgentProviderStatus,
  type AgentRun,
} from '@agents/api';
import { setCondition } from '@agents/kube';
import { classifyProviderFailure, type ProviderFailure } from '../provider-failure.js';

/** A provider whose CLI authenticates with a mounted auth file (the controller's auth secret). */
export function needsAuthSecret(p: AgentProvider): boolean {
  const binary = p.spec.binary ?? '';
  return (
    binary.includes('codex') ||
    (binary.endsWith('agent-runner') &&
      (p.spec.envTemplate?.AGENT_PROVIDER_PATH ?? '').startsWith('/root/.codex/provider-')) ||
    (p.spec.inputFiles ?? []).some((f) => f.path.startsWith('/root/.codex/'))
  );
}

export type AuthSecretCheck =
  | { state: 'not-needed' }
  | { state: 'unconfigured' }
  | { state: 'missing'; name: string }
  | { state: 'present'; name: string; content: string | undefined };

export const RECENT_FAILURE_WINDOW_MS = 2 * 3600 * 1000;

/** What a failed run says about its provider: its reason when the controller classified the failure, else its text. */
function runFailure(run: AgentRun): ProviderFailure | undefined {
  if (run.status?.reason === AgentRunReason.ProviderAuthUnavailable) return 'auth';
  if (run.status?.reason === AgentRunReason.ProviderCapacityExhausted) return 'capacity';
  const runner = run.status?.runner as { error?: string } | undefined;
  return classifyProviderFailure([run.status?.message, runner?.error].filter(Boolean).join('\n'))?.kind;
}

/**
 * The most recent finished run of this provider within the window decides its health: a recent failure matching
 * the auth patterns makes it unreachable, a capacity failure degraded; a later success clears both.
 */
export function recentHealth(runs: readonly AgentRun[], now: Date): ProviderFailure | undefined {
  // One pass, one date parse per run: this runs each time one of the provider's runs finishes, over all its cached
  // runs (sorting them all made it quadratic in the runs cached). A success in the same second as a failure clears it.
  let lastSuccess = -Infinity;
  const failed: [at: number, run: AgentRun][] = [];
  for (const r of runs) {
    const phase = r.status?.phase;
    if (!r.status?.finishedAt || (phase !== 'Succeeded' && phase !== 'Failed')) continue;
    const at = Date.parse(r.status.finishedAt);
    if (!(now.getTime() - at <= RECENT_FAILURE_WINDOW_MS)) continue;
    if (phase === 'Succeeded') lastSuccess = Math.max(lastSuccess, at);
    else failed.push([at, r]);
  }
  const since = failed.filter(([at]) => at > lastSuccess).sort(([a], [b]) => b - a);
  for (const [, r] of since) {
    const failure = runFailure(r);
    if (failure) return failure;
  }
  return undefined;
}

function specProblem(
  p: AgentProvider,
  auth: AuthSecretCheck,
): { reason: string; message: string; unreachable?: boolean } | undefined {
  if (!p.spec.binary) return { reason: AgentProviderReason.MissingBinary, message: 'spec.binary is required' };
  const templates: [string, string][] = [
    ...(p.spec.argsTemplate ?? []).map((t, i): [string, string] => [`spec.argsTemplate[${i}]`, t]),
    ...Object.entries(p.spec.envTemplate ?? {}).map(([k, t]): [string, string] => [`spec.envTemplate.${k}`, t]),
  ];
  for (const [field, t] of templates) {
    const err = templateError(t);
    if (err) return { reason: AgentProviderReason.InvalidTemplate, message: `${field}: ${err}` };
  }
  if (auth.state === 'unconfigured') {
    return {
      reason: AgentProviderReason.MissingAuthSecretConfig,
      message:
        'this provider needs an auth secret: set controller.authSecret.name in the chart (JANGAR_AGENTS_CONTROLLER_AUTH_SECRET_NAME)',
    };
  }
  if (auth.state === 'missing') {
    return {
      reason: AgentProviderReason.AuthSecretNotFound,
      message: `auth secret ${auth.name} not found`,
      unreachable: true,
    };
  }
  if (auth.state === 'present') {
    let parsed: unknown;
    try {
      parsed = auth.content ? JSON.parse(auth.content) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return {
        reason: AgentProviderReason.InvalidAuthSecret,
        message: `auth secret ${auth.name} must hold a JSON object`,
      };
    }
    const mode = (parsed as { auth_mode?: unknown }).auth_mode;
    if (mode !== undefined && mode !== 'apikey' && mode !== 'chatgpt') {
      return {
        reason: AgentProviderReason.UnsupportedAuthMode,
        message: `auth_mode ${JSON.stringify(mode)} is not one of apikey, chatgpt`,
      };
    }
  }
  return undefined;
}

export function agentProviderStatus(
  p: AgentProvider,
  auth: AuthSecretCheck,
  runs: readonly AgentRun[],
  now: Date,
): AgentProviderStatus {
  const gen = p.metadata.generation;
  let conditions = p.status?.conditions;
  const set = (type: string, status: 'True' | 'False', reason: string, message = '') =>
    (conditions = setCondition(conditions, { type, status, reason, message }, gen, now));
  const problem = specProblem(p, auth);
  if (problem) {
    set(ConditionType.Ready, 'False', problem.reason, problem.message);
    set(
      ConditionType.InvalidSpec,
      problem.unreachable ? 'False' : 'True',
      problem.unreachable ? AgentProviderReason.ValidSpec : problem.reason,
      problem.unreachable ? '' : problem.message,
    );
    set(
      ConditionType.Unreachable,
      problem.unreachable ? 'True' : 'False',
      problem.unreachable ? problem.reason : AgentProviderReason.Reachable,
      problem.unreachable ? problem.message : '',
    );
    return { ...p.status, conditions, observedGeneration: gen };
  }
  set(ConditionType.InvalidSpec, 'False', AgentProviderReason.ValidSpec);
  const health = recentHealth(runs, now);
  if (health === 'auth') {
    const message = 'a recent run failed to authenticate with the provider; refresh its credentials';
    set(ConditionType.Unreachable, 'True', AgentProviderReason.ProviderAuthUnavailable, message);
    set(ConditionType.Degraded, 'False', AgentProviderReason.Healthy);
    set(ConditionType.Ready, 'False', AgentProviderReason.ProviderAuthUnavailable, message);
  } else if (health === 'capacity') {
    const message = 'a recent run hit the provider capacity (quota or rate limit)';
    const block = p.spec.health?.capacityFailurePolicy === 'block';
    set(ConditionType.Unreachable, 'False', AgentProviderReason.Reachable);
    set(ConditionType.Degraded, 'True', AgentProviderReason.ProviderCapacityExhausted, message);
    if (block) set(ConditionType.Ready, 'False', AgentProviderReason.ProviderCapacityExhausted, message);
    else set(ConditionType.Ready, 'True', AgentProviderReason.ValidSpec, 'provider ready (degraded capacity)');
  } else {
    set(ConditionType.Unreachable, 'False', AgentProviderReason.Reachable);
    set(ConditionType.Degraded, 'False', AgentProviderReason.Healthy);
    set(ConditionType.Ready, 'True', AgentProviderReason.ValidSpec, 'provider ready');
  }
  return { ...p.status, conditions, observedGeneration: gen };
}
