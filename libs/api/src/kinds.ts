import { GROUPS, VERSION, type Group } from './groups.js';

/** Identity of one custom resource kind: what the API server and kubectl know it by. */
export interface KindInfo {
  readonly kind: string;
  readonly group: Group;
  readonly version: typeof VERSION;
  readonly plural: string;
  readonly singular: string;
  readonly apiVersion: string;
}

function kind(name: string, group: Group, plural: string): KindInfo {
  return {
    kind: name,
    group,
    version: VERSION,
    plural,
    singular: name.toLowerCase(),
    apiVersion: `${group}/${VERSION}`,
  };
}

export const AGENT = kind('Agent', GROUPS.agents, 'agents');
export const AGENT_RUN = kind('AgentRun', GROUPS.agents, 'agentruns');
export const AGENT_PROVIDER = kind('AgentProvider', GROUPS.agents, 'agentproviders');
export const IMPLEMENTATION_SPEC = kind('ImplementationSpec', GROUPS.agents, 'implementationspecs');
export const IMPLEMENTATION_SOURCE = kind('ImplementationSource', GROUPS.agents, 'implementationsources');
export const VERSION_CONTROL_PROVIDER = kind('VersionControlProvider', GROUPS.agents, 'versioncontrolproviders');
export const MEMORY = kind('Memory', GROUPS.agents, 'memories');
export const ORCHESTRATION = kind('Orchestration', GROUPS.orchestration, 'orchestrations');
export const ORCHESTRATION_RUN = kind('OrchestrationRun', GROUPS.orchestration, 'orchestrationruns');
export const APPROVAL_POLICY = kind('ApprovalPolicy', GROUPS.approvals, 'approvalpolicies');
export const BUDGET = kind('Budget', GROUPS.budgets, 'budgets');
export const SECRET_BINDING = kind('SecretBinding', GROUPS.security, 'secretbindings');
export const SIGNAL = kind('Signal', GROUPS.signals, 'signals');
export const SIGNAL_DELIVERY = kind('SignalDelivery', GROUPS.signals, 'signaldeliveries');
export const TOOL = kind('Tool', GROUPS.tools, 'tools');
export const TOOL_RUN = kind('ToolRun', GROUPS.tools, 'toolruns');
export const SCHEDULE = kind('Schedule', GROUPS.schedules, 'schedules');
export const ARTIFACT = kind('Artifact', GROUPS.artifacts, 'artifacts');
export const WORKSPACE = kind('Workspace', GROUPS.workspaces, 'workspaces');

/** Every kind the chart installs a CRD for, in a stable order. */
export const ALL_KINDS: readonly KindInfo[] = [
  AGENT,
  AGENT_RUN,
  AGENT_PROVIDER,
  IMPLEMENTATION_SPEC,
  IMPLEMENTATION_SOURCE,
  VERSION_CONTROL_PROVIDER,
  MEMORY,
  ORCHESTRATION,
  ORCHESTRATION_RUN,
  APPROVAL_POLICY,
  BUDGET,
  SECRET_BINDING,
  SIGNAL,
  SIGNAL_DELIVERY,
  TOOL,
  TOOL_RUN,
  SCHEDULE,
  ARTIFACT,
  WORKSPACE,
];

/** `<plural>.<group>`: the name of a kind's CustomResourceDefinition. */
export function crdName(info: KindInfo): string {
  return `${info.plural}.${info.group}`;
}

/** `<group>_<plural>.yaml`: the file of a kind's CRD under charts/agents/crds/. */
export function crdFileName(info: KindInfo): string {
  return `${info.group}_${info.plural}.yaml`;
}

export function findKind(name: string): KindInfo | undefined {
  const wanted = name.toLowerCase();
  return ALL_KINDS.find((k) => k.kind.toLowerCase() === wanted || k.plural === wanted);
}
