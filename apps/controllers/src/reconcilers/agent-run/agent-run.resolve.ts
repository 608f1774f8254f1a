import {
  AgentRunReason as R,
  ConditionType,
  type Agent,
  type AgentProvider,
  type AgentRun,
  type ImplementationSpec,
  type ImplementationSpecFields,
  type Memory,
  type VersionControlProvider,
} from '@agents/api';
import { findCondition } from '@agents/kube';
import { createHash } from 'node:crypto';
import type { ControllersConfig } from '../../config/controllers.config.js';
import { matchesAny } from './glob.js';
import { resolveVcs, type VcsContext } from './agent-run.vcs.js';

/** Read access to the cached objects of the run's namespace. */
export interface RunLookup {
  agent(name: string): Agent | undefined;
  provider(name: string): AgentProvider | undefined;
  implementationSpec(name: string): ImplementationSpec | undefined;
  memory(name: string): Memory | undefined;
  memories(): Memory[];
  versionControlProvider(name: string): VersionControlProvider | undefined;
}

/** The agent's system prompt as the reconciler read it (a ref means a Secret/ConfigMap GET). */
export type SystemPromptRead =
  | { kind: 'none' }
  | { kind: 'inline'; text: string }
  | {
      kind: 'ref';
      ref: { kind: 'Secret' | 'ConfigMap'; name: string; key: string };
      text: string | undefined;
      exists: boolean;
    }
  | { kind: 'error'; ref: { kind: 'Secret' | 'ConfigMap'; name: string; key: string }; message: string };

export interface SystemPrompt {
  sha256: string;
  /** Inline prompts travel in run.json; referenced ones are mounted from their Secret/ConfigMap. */
  inline?: string;
  ref?: { kind: 'Secret' | 'ConfigMap'; name: string; key: string };
}

export interface Resolved {
  agent: Agent;
  provider: AgentProvider;
  implementation: ImplementationSpecFields;
  implementationName: string;
  image: string;
  serviceAccount: string;
  memory: { type: string; connectionRef: { name: string; key?: string } } | null;
  systemPrompt: SystemPrompt;
  vcs: VcsContext | undefined;
  vcsSkipped: { reason: string; message: string } | undefined;
  parameters: Record<string, string>;
  contract: { requiredKeys: string[]; missingKeys: string[] };
  timeoutSeconds: number | undefined;
}

export interface Failure {
  reason: string;
  message: string;
  /** Condition the failure is reported under (InvalidSpec for spec problems, Failed for the rest). */
  condition: 'InvalidSpec' | 'Failed';
}

/** Holds the run back without failing it (e.g. its provider is exhausted). */
export interface Hold {
  reason: string;
  message: string;
}

export type Resolution =
  { ok: true; resolved: Resolved } | { ok: false; failure: Failure } | { ok: 'hold'; hold: Hold };

const invalid = (reason: string, message: string): Resolution => ({
  ok: false,
  failure: { reason, message, condition: 'InvalidSpec' },
});

const MAX_PARAMETER_BYTES = 2048;
const MAX_SYSTEM_PROMPT = 16384;

/** The runtime.config of a run as a plain record. */
export function runtimeConfig(run: AgentRun): Record<string, unknown> {
  return (run.spec.runtime?.config ?? {}) as Record<string, unknown>;
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Everything about a run that can be decided without creating anything, in the reference's order; the first
 * failure wins and names the field or object to fix.
 */
export function resolveRun(
  run: AgentRun,
  lookup: RunLookup,
  prompt: SystemPromptRead,
  config: ControllersConfig,
): Resolution {
  const spec = run.spec;
  const cfg = runtimeConfig(run);
  if (!spec.runtime?.type) return invalid(R.MissingRuntime, 'spec.runtime.type is required');
  if (spec.runtime.type !== 'job') {
    return invalid(
      R.UnsupportedRuntime,
      `spec.runtime.type ${spec.runtime.type} is not available in this version: use job`,
    );
  }

  // Parameters
  const parameters = { ...(spec.parameters ?? {}) };
  for (const [k, v] of Object.entries(parameters)) {
    if (k.toLowerCase() === 'prompt')
      return invalid(
        R.ForbiddenParameterKey,
        'spec.parameters.prompt is not allowed: the prompt comes from the implementation text',
      );
    if (typeof v !== 'string') return invalid(R.ParameterNotString, `spec.parameters.${k} must be a string`);
    if (Buffer.byteLength(v) > MAX_PARAMETER_BYTES)
      return invalid(R.ParameterValueTooLarge, `spec.parameters.${k} is over ${MAX_PARAMETER_BYTES} bytes`);
  }

  // Label admission policy
  const labels = Object.keys(run.metadata.labels ?? {});
  const { admission } = config;
  const missingLabels = admission.labelsRequired.filter((l) => !labels.includes(l));
  if (missingLabels.length)
    return invalid(R.MissingRequiredLabels, `labels required by policy are missing: ${missingLabels.join(', ')}`);
  const blockedLabel = labels.find((l) => matchesAny(admission.labelsDenied, l));
  if (blockedLabel) return invalid(R.LabelBlocked, `label ${blockedLabel} is denied by policy`);
  const notAllowed = admission.labelsAllowed.length
    ? labels.find((l) => !matchesAny(admission.labelsAllowed, l))
    : undefined;
  if (notAllowed) return invalid(R.LabelNotAllowed, `label ${notAllowed} is not in the allowed list`);

  // Agent and provider
  const agent = lookup.agent(spec.agentRef.name);
  if (!agent)
    return invalid(R.MissingAgent, `Agent ${spec.agentRef.name} not found in namespace ${run.metadata.namespace}`);
  const provider = lookup.provider(agent.spec.providerRef.name);
  if (!provider)
    return invalid(
      R.MissingProvider,
      `AgentProvider ${agent.spec.providerRef.name} (of Agent ${agent.metadata.name}) not found`,
    );

  // Image and its policy
  const image = spec.workload?.image ?? provider.spec.workload?.image ?? config.runner.image;
  if (!image) {
    return invalid(
      R.MissingWorkloadImage,
      'no image: set spec.workload.image, the provider workload.image, or the chart runner.image',
    );
  }
  if (matchesAny(admission.imagesDenied, image)) return invalid(R.ImageBlocked, `image ${image} is denied by policy`);
  if (admission.imagesAllowed.length && !matchesAny(admission.imagesAllowed, image)) {
    return invalid(R.ImageNotAllowed, `image ${image} is not in the allowed list`);
  }

  // Provider health holds the run (it is retried when the provider recovers)
  const providerReady = findCondition(provider.status?.conditions, ConditionType.Ready);
  if (
    providerReady?.status === 'False' &&
    (providerReady.reason === 'ProviderCapacityExhausted' || providerReady.reason === 'ProviderAuthUnavailable')
  ) {
    return {
      ok: 'hold',
      hold: {
        reason: providerReady.reason,
        message: `AgentProvider ${provider.metadata.name}: ${providerReady.message}`,
      },
    };
  }

  // Secrets and service account against the agent's allowlists
  const security = agent.spec.security ?? {};
  const runSecrets = spec.secrets ?? [];
  const allowedSecrets = security.allowedSecrets ?? [];
  const secretNotAllowed = (s: string) => allowedSecrets.length > 0 && !allowedSecrets.includes(s);
  const deniedSecret = runSecrets.find(secretNotAllowed);
  if (deniedSecret)
    return invalid(
      R.SecretNotAllowed,
      `Secret ${deniedSecret} is not in Agent ${agent.metadata.name} spec.security.allowedSecrets`,
    );
  const serviceAccount =
    (cfg.serviceAccountName as string | undefined) ??
    (cfg.serviceAccount as string | undefined) ??
    provider.spec.workload?.serviceAccountName ??
    config.runner.serviceAccount ??
    'default';
  if ((security.allowedServiceAccounts ?? []).length && !security.allowedServiceAccounts!.includes(serviceAccount)) {
    return invalid(
      R.ServiceAccountNotAllowed,
      `service account ${serviceAccount} is not in Agent ${agent.metadata.name} spec.security.allowedServiceAccounts`,
    );
  }

  // Implementation
  let implementation: ImplementationSpecFields;
  let implementationName: string;
  if (spec.implementation?.inline) {
    implementation = spec.implementation.inline;
    implementationName = 'inline';
  } else {
    const name = spec.implementationSpecRef?.name ?? '';
    const impl = lookup.implementationSpec(name);
    if (!impl)
      return invalid(
        R.MissingImplementation,
        `ImplementationSpec ${name} not found in namespace ${run.metadata.namespace}`,
      );
    implementation = impl.spec;
    implementationName = name;
  }
  const sourceProvider = implementation.source?.provider;
  const allowedSources = security.allowedImplementationSourceProviders ?? [];
  if (allowedSources.length && sourceProvider && !allowedSources.includes(sourceProvider)) {
    return invalid(
      R.ImplementationSourceProviderNotAllowed,
      `implementation source ${sourceProvider} is not allowed by Agent ${agent.metadata.name}`,
    );
  }

  // Contract: required metadata keys must be present in the parameters (after mappings)
  for (const m of implementation.contract?.mappings ?? [])
    if (parameters[m.from] !== undefined && parameters[m.to] === undefined) parameters[m.to] = parameters[m.from]!;
  const requiredKeys = implementation.contract?.requiredKeys ?? [];
  const missingKeys = requiredKeys.filter((k) => !parameters[k]);
  if (missingKeys.length) {
    return {
      ok: false,
      failure: {
        reason: R.MissingRequiredMetadata,
        message: `required metadata missing from spec.parameters: ${missingKeys.join(', ')}`,
        condition: 'InvalidSpec',
      },
    };
  }

  // Memory: the run's, the agent's, or the namespace default
  let memoryObj: Memory | undefined;
  const memoryName = spec.memoryRef?.name ?? agent.spec.memoryRef?.name;
  if (memoryName) {
    memoryObj = lookup.memory(memoryName);
    if (!memoryObj)
      return invalid(R.MissingMemory, `Memory ${memoryName} not found in namespace ${run.metadata.namespace}`);
  } else {
    memoryObj = lookup.memories().find((m) => m.spec.default === true);
  }
  const memorySecret = memoryObj?.spec.connection.secretRef.name;
  if (
    memorySecret &&
    (secretNotAllowed(memorySecret) || (runSecrets.length > 0 && !runSecrets.includes(memorySecret)))
  ) {
    return invalid(
      R.SecretNotAllowed,
      `the Secret ${memorySecret} of Memory ${memoryObj!.metadata.name} must be allowed by the Agent and listed in spec.secrets`,
    );
  }

  // Blocked secrets
  const touched = [
    ...runSecrets,
    ...(memorySecret ? [memorySecret] : []),
    ...(config.authSecret.name ? [config.authSecret.name] : []),
  ];
  const blocked = touched.find((s) => config.admission.blockedSecrets.includes(s));
  if (blocked) return invalid(R.SecretBlocked, `Secret ${blocked} is blocked by policy`);

  // System prompt (required)
  const systemPrompt = resolvePrompt(prompt, allowedSecrets);
  if ('reason' in systemPrompt) return invalid(systemPrompt.reason, systemPrompt.message);

  // Version control
  const vcs = resolveVcs(run, agent, implementation, parameters, (n) => lookup.versionControlProvider(n), config.vcs);
  if (vcs.kind === 'fail')
    return { ok: false, failure: { reason: vcs.reason, message: vcs.message, condition: 'Failed' } };
  if (vcs.kind === 'resolved') {
    const badVcsSecret = vcs.context.secrets.find(
      (s) => secretNotAllowed(s) || config.admission.blockedSecrets.includes(s),
    );
    if (badVcsSecret)
      return invalid(
        R.SecretNotAllowed,
        `VCS credentials Secret ${badVcsSecret} is not allowed for Agent ${agent.metadata.name}`,
      );
    parameters.base ??= vcs.context.baseBranch;
    parameters.head ??= vcs.context.headBranch;
  }

  const timeout = Number(cfg.timeoutSeconds ?? agent.spec.defaults?.timeoutSeconds ?? 0);
  return {
    ok: true,
    resolved: {
      agent,
      provider,
      implementation,
      implementationName,
      image,
      serviceAccount,
      memory: memoryObj ? { type: memoryObj.spec.type, connectionRef: memoryObj.spec.connection.secretRef } : null,
      systemPrompt,
      vcs: vcs.kind === 'resolved' ? vcs.context : undefined,
      vcsSkipped: vcs.kind === 'skip' ? { reason: vcs.reason, message: vcs.message } : undefined,
      parameters,
      contract: { requiredKeys, missingKeys: [] },
      timeoutSeconds: timeout > 0 ? timeout : undefined,
    },
  };
}

function resolvePrompt(
  read: SystemPromptRead,
  allowedSecrets: string[],
): SystemPrompt | { reason: string; message: string } {
  switch (read.kind) {
    case 'none':
      return {
        reason: R.MissingSystemPromptConfiguration,
        message:
          'the Agent has no system prompt: set spec.defaults.systemPrompt or spec.defaults.systemPromptRef on the Agent',
      };
    case 'inline':
      if (read.text.length > MAX_SYSTEM_PROMPT)
        return { reason: R.SystemPromptTooLong, message: `the system prompt is over ${MAX_SYSTEM_PROMPT} characters` };
      return { sha256: sha256(read.text), inline: read.text };
    case 'error':
      return {
        reason: R.SystemPromptRefReadFailed,
        message: `reading ${read.ref.kind} ${read.ref.name}: ${read.message}`,
      };
    case 'ref': {
      const { ref } = read;
      if (ref.kind === 'Secret' && allowedSecrets.length && !allowedSecrets.includes(ref.name)) {
        return {
          reason: R.SecretNotAllowed,
          message: `system prompt Secret ${ref.name} is not in the Agent's allowedSecrets`,
        };
      }
      if (!read.exists)
        return { reason: R.MissingSystemPromptRef, message: `${ref.kind} ${ref.name} of the system prompt not found` };
      if (read.text === undefined)
        return { reason: R.InvalidSystemPromptRef, message: `${ref.kind} ${ref.name} has no key ${ref.key}` };
      if (read.text.length > MAX_SYSTEM_PROMPT)
        return { reason: R.SystemPromptTooLong, message: `the system prompt is over ${MAX_SYSTEM_PROMPT} characters` };
      return { sha256: sha256(read.text), ref };
    }
  }
}
