// Pieces of the fake control plane that hold no state: types, the proto's RPC names, selectors, canned responses.
import type { status } from '@grpc/grpc-js';

/** RPC names per kind, spelled as in agentctl.proto (written out, not derived, so they check the CLI's own table). */
export const LIST_RPC: Record<string, string> = {
  Agent: 'listAgents',
  AgentRun: 'listAgentRuns',
  AgentProvider: 'listAgentProviders',
  ImplementationSpec: 'listImplementationSpecs',
  ImplementationSource: 'listImplementationSources',
  VersionControlProvider: 'listVersionControlProviders',
  Memory: 'listMemories',
  Orchestration: 'listOrchestrations',
  OrchestrationRun: 'listOrchestrationRuns',
  ApprovalPolicy: 'listApprovalPolicies',
  Budget: 'listBudgets',
  SecretBinding: 'listSecretBindings',
  Signal: 'listSignals',
  SignalDelivery: 'listSignalDeliveries',
  Tool: 'listTools',
  ToolRun: 'listToolRuns',
  Schedule: 'listSchedules',
  Artifact: 'listArtifacts',
  Workspace: 'listWorkspaces',
};

export const TERMINAL = ['Succeeded', 'Failed', 'Cancelled'];

export type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; [k: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [k: string]: unknown;
};

/** An object to seed: the kind and a name at least. */
export interface SeedInput {
  apiVersion?: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

export interface LogEvent {
  id: number;
  stream: string;
  message: string;
  timestamp: string;
  kind: string;
}

export interface RecordedCall {
  method: string;
  request: Record<string, unknown>;
  authorization: string | undefined;
}

export type Fail = { code: status; details: string };
export const fail = (code: status, details: string): Fail => ({ code, details });
export const isFail = (e: unknown): e is Fail => typeof e === 'object' && e !== null && 'code' in e && 'details' in e;

export function matchesSelector(labels: Record<string, string>, selector: string): boolean {
  if (!selector.trim()) return true;
  return selector.split(',').every((term) => {
    const t = term.trim();
    const neq = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(t);
    if (neq) return labels[neq[1]!] !== neq[2];
    const eq = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(t);
    if (eq) return labels[eq[1]!] === eq[2];
    if (t.startsWith('!')) return !(t.slice(1) in labels);
    return t in labels;
  });
}

/** What GetControlPlaneStatus answers: one healthy controller, one missing its CRD. */
export function controlPlaneStatus(namespace: string) {
  return {
    service: 'agents-control-plane',
    generatedAt: '2025-01-02T03:04:05Z',
    controllers: [
      {
        name: 'agentrun',
        enabled: true,
        started: true,
        crdsReady: true,
        missingCrds: [],
        lastCheckedAt: '',
        status: 'healthy',
        message: '',
      },
      {
        name: 'schedule',
        enabled: true,
        started: false,
        crdsReady: false,
        missingCrds: ['schedules.schedules.proompteng.ai'],
        lastCheckedAt: '',
        status: 'degraded',
        message: 'CRD missing',
      },
    ],
    runtimeAdapters: [{ name: 'job', available: true, status: 'healthy', message: '', endpoint: '' }],
    database: { configured: true, connected: true, status: 'healthy', message: '', latencyMs: 3 },
    grpc: { enabled: true, address: '0.0.0.0:50051', status: 'healthy', message: '' },
    namespaces: [{ namespace: namespace || 'agents', status: 'degraded', degradedComponents: ['schedule'] }],
  };
}

/** The AgentRun spec the control plane would build from a SubmitAgentRun request. */
export function runSpec(req: SubmitRequest): Record<string, unknown> {
  const kv = (list: { key: string; value: string }[]) => Object.fromEntries(list.map((p) => [p.key, p.value]));
  return {
    agentRef: { name: req.agentName },
    implementationSpecRef: { name: req.implementationName },
    runtime: { type: req.runtimeType, ...(req.runtimeConfig.length ? { config: kv(req.runtimeConfig) } : {}) },
    ...(req.parameters.length ? { parameters: kv(req.parameters) } : {}),
    ...(req.workload ? { workload: req.workload } : {}),
    ...(req.memoryRef ? { memoryRef: { name: req.memoryRef } } : {}),
    ...(req.vcsRef ? { vcsRef: { name: req.vcsRef } } : {}),
    ...(req.vcsPolicyMode || req.vcsPolicyRequired
      ? { vcsPolicy: { mode: req.vcsPolicyMode || undefined, required: req.vcsPolicyRequired } }
      : {}),
    ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
  };
}

export interface SubmitRequest {
  namespace: string;
  agentName: string;
  implementationName: string;
  runtimeType: string;
  runtimeConfig: { key: string; value: string }[];
  parameters: { key: string; value: string }[];
  idempotencyKey: string;
  workload?: { image: string; cpu: string; memory: string };
  memoryRef: string;
  vcsRef: string;
  vcsPolicyMode: string;
  vcsPolicyRequired: boolean;
  name: string;
}
