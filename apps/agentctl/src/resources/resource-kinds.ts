// The kinds agentctl can address, their command-line names (REFERENCE §7.3) and their RPC names (REFERENCE §7.2).
import { ALL_KINDS, DEFINITIONS, type KindInfo, type PrinterColumn } from '@agents/api';
import { usageError } from '../cli.errors.js';

export interface ResourceKind {
  readonly info: KindInfo;
  /** What users type, canonical name first. */
  readonly aliases: readonly string[];
  readonly printerColumns: readonly PrinterColumn[];
  /** Method names on the generated client: listAgentRuns, getAgentRun, applyAgentRun, deleteAgentRun. */
  readonly rpc: { readonly list: string; readonly get: string; readonly apply: string; readonly delete: string };
}

const ALIASES: Readonly<Record<string, readonly string[]>> = {
  Agent: ['agent', 'agents'],
  AgentRun: ['agentrun', 'agentruns', 'run', 'runs'],
  AgentProvider: ['agentprovider', 'agentproviders', 'provider', 'providers'],
  ImplementationSpec: [
    'implementationspec',
    'implementationspecs',
    'impl',
    'impls',
    'implementation',
    'implementations',
    'spec',
    'specs',
  ],
  ImplementationSource: ['implementationsource', 'implementationsources', 'source', 'sources'],
  VersionControlProvider: ['versioncontrolprovider', 'versioncontrolproviders', 'vcs'],
  Memory: ['memory', 'memories'],
  Orchestration: ['orchestration', 'orchestrations'],
  OrchestrationRun: ['orchestrationrun', 'orchestrationruns'],
  ApprovalPolicy: ['approvalpolicy', 'approvalpolicies', 'approval', 'approvals'],
  Budget: ['budget', 'budgets'],
  SecretBinding: ['secretbinding', 'secretbindings'],
  Signal: ['signal', 'signals'],
  SignalDelivery: ['signaldelivery', 'signaldeliveries'],
  Tool: ['tool', 'tools'],
  ToolRun: ['toolrun', 'toolruns'],
  Schedule: ['schedule', 'schedules'],
  Artifact: ['artifact', 'artifacts'],
  Workspace: ['workspace', 'workspaces'],
};

/** The plural in RPC names (ListMemories, ListApprovalPolicies): the kind's plural spelled in PascalCase. */
function rpcPlural(kind: string): string {
  return /[^aeiou]y$/.test(kind) ? `${kind.slice(0, -1)}ies` : `${kind}s`;
}

export const RESOURCE_KINDS: readonly ResourceKind[] = ALL_KINDS.map((info) => {
  const definition = DEFINITIONS.find((d) => d.info.kind === info.kind);
  return {
    info,
    aliases: ALIASES[info.kind] ?? [info.singular, info.plural],
    printerColumns: definition?.printerColumns ?? [],
    rpc: {
      list: `list${rpcPlural(info.kind)}`,
      get: `get${info.kind}`,
      apply: `apply${info.kind}`,
      delete: `delete${info.kind}`,
    },
  };
});

export const AGENT_RUN_KIND: ResourceKind = RESOURCE_KINDS.find((k) => k.info.kind === 'AgentRun')!;

/** Every name a resource may be typed as (for completion). */
export function resourceNames(): string[] {
  return RESOURCE_KINDS.flatMap((k) => k.aliases);
}

/** `agentrun (run, runs, agentruns)`: one line per kind for messages and help. */
export function describeResourceNames(): string {
  return RESOURCE_KINDS.map((k) => {
    const [first, ...rest] = k.aliases;
    return rest.length ? `${first} (${rest.join(', ')})` : first;
  }).join(', ');
}

/** Finds a kind by alias, Kind, plural or `<plural>.<group>`, case-insensitively. */
export function findResource(word: string): ResourceKind | undefined {
  const wanted = word.trim().toLowerCase();
  return RESOURCE_KINDS.find(
    (k) =>
      k.aliases.includes(wanted) ||
      k.info.kind.toLowerCase() === wanted ||
      `${k.info.plural}.${k.info.group}` === wanted,
  );
}

export function resolveResource(word: string): ResourceKind {
  const kind = findResource(word);
  if (!kind) throw usageError(`unknown resource type '${word}'; known resources: ${describeResourceNames()}`);
  return kind;
}

/** `agentrun/demo-run`. */
export function ref(kind: ResourceKind, name: string): string {
  return `${kind.info.singular}/${name}`;
}
