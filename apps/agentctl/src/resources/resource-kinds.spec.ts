import { ALL_KINDS } from '@agents/api';
import { AgentctlServiceService } from '@agents/proto/client';
import { EXIT, type CliError } from '../cli.errors.js';
import { findResource, resolveResource, RESOURCE_KINDS, resourceNames } from './resource-kinds.js';

describe('resource kinds', () => {
  // REFERENCE §7.3 "Resource aliases", plus vcs/versioncontrolprovider(s).
  const aliases: Record<string, string[]> = {
    Agent: ['agent', 'agents'],
    AgentProvider: ['provider', 'providers', 'agentprovider', 'agentproviders'],
    ImplementationSpec: [
      'impl',
      'impls',
      'implementation',
      'implementations',
      'implementationspec',
      'implementationspecs',
      'spec',
      'specs',
    ],
    ImplementationSource: ['source', 'sources', 'implementationsource', 'implementationsources'],
    Memory: ['memory', 'memories'],
    Tool: ['tool', 'tools'],
    ToolRun: ['toolrun', 'toolruns'],
    Orchestration: ['orchestration', 'orchestrations'],
    OrchestrationRun: ['orchestrationrun', 'orchestrationruns'],
    ApprovalPolicy: ['approval', 'approvals', 'approvalpolicy', 'approvalpolicies'],
    Budget: ['budget', 'budgets'],
    SecretBinding: ['secretbinding', 'secretbindings'],
    Signal: ['signal', 'signals'],
    SignalDelivery: ['signaldelivery', 'signaldeliveries'],
    Schedule: ['schedule', 'schedules'],
    Artifact: ['artifact', 'artifacts'],
    Workspace: ['workspace', 'workspaces'],
    AgentRun: ['run', 'runs', 'agentrun', 'agentruns'],
    VersionControlProvider: ['vcs', 'versioncontrolprovider', 'versioncontrolproviders'],
  };

  it('covers every kind', () => {
    expect(RESOURCE_KINDS.map((k) => k.info.kind).sort()).toEqual(ALL_KINDS.map((k) => k.kind).sort());
    expect(Object.keys(aliases).sort()).toEqual(ALL_KINDS.map((k) => k.kind).sort());
  });

  describe.each(Object.entries(aliases))('%s', (kind, names) => {
    it.each(names)('is named %s', (name) => {
      expect(resolveResource(name).info.kind).toBe(kind);
      expect(resolveResource(name.toUpperCase()).info.kind).toBe(kind);
    });
    it('is named by its Kind and <plural>.<group>', () => {
      const k = resolveResource(kind);
      expect(k.info.kind).toBe(kind);
      expect(findResource(`${k.info.plural}.${k.info.group}`)).toBe(k);
    });
    it('has its four RPCs in AgentctlService', () => {
      const k = resolveResource(kind);
      for (const method of Object.values(k.rpc)) expect(Object.keys(AgentctlServiceService)).toContain(method);
    });
    it('has printer columns', () => expect(resolveResource(kind).printerColumns.length).toBeGreaterThan(0));
  });

  it('spells plural RPC names as the proto does', () => {
    expect(resolveResource('memory').rpc.list).toBe('listMemories');
    expect(resolveResource('approval').rpc.list).toBe('listApprovalPolicies');
    expect(resolveResource('signaldelivery').rpc.list).toBe('listSignalDeliveries');
    expect(resolveResource('run').rpc).toEqual({
      list: 'listAgentRuns',
      get: 'getAgentRun',
      apply: 'applyAgentRun',
      delete: 'deleteAgentRun',
    });
  });

  it('lists the known resources for an unknown one (usage error)', () => {
    expect(() => resolveResource('pods')).toThrow(/^unknown resource type 'pods'; known resources: agent \(agents\), /);
    try {
      resolveResource('pods');
    } catch (err) {
      expect((err as CliError).exitCode).toBe(EXIT.usage);
    }
  });

  it('offers every alias for completion, once', () => {
    const names = resourceNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['run', 'impl', 'vcs', 'approvals']));
  });
});
