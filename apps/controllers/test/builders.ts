import type { Agent, AgentProvider, AgentRun, ImplementationSpec, Memory } from '@agents/api';
import { loadControllersConfig, type ControllersConfig } from '../src/config/controllers.config.js';

/** Builders for test objects: defaults that make a runnable set, options for what a case changes. */
export function makeProvider(ns = 'ns', spec: Partial<AgentProvider['spec']> = {}): AgentProvider {
  return {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'AgentProvider',
    metadata: { name: 'shell', namespace: ns, uid: 'p-uid', generation: 1 },
    spec: { binary: '/bin/sh', argsTemplate: ['-c', 'echo {{agentRun.name}}'], ...spec },
  };
}

export function makeAgent(ns = 'ns', spec: Partial<Agent['spec']> = {}): Agent {
  return {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'Agent',
    metadata: { name: 'agent', namespace: ns, uid: 'a-uid', generation: 1 },
    spec: { providerRef: { name: 'shell' }, defaults: { systemPrompt: 'be careful' }, ...spec },
  };
}

export function makeImplementationSpec(ns = 'ns', spec: Partial<ImplementationSpec['spec']> = {}): ImplementationSpec {
  return {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'ImplementationSpec',
    metadata: { name: 'task', namespace: ns, uid: 'i-uid', generation: 1 },
    spec: { text: 'Fix {{repository}} on ${branch}', summary: 'fix it', ...spec },
  };
}

export function makeMemory(ns = 'ns', spec: Partial<Memory['spec']> = {}): Memory {
  return {
    apiVersion: 'agents.proompteng.ai/v1alpha1',
    kind: 'Memory',
    metadata: { name: 'mem', namespace: ns, uid: 'm-uid', generation: 1 },
    spec: { type: 'postgres', connection: { secretRef: { name: 'mem-db', key: 'url' } }, ...spec },
  };
}

export class RunBuilder {
  private readonly run: AgentRun;

  constructor(name = 'run', ns = 'ns') {
    this.run = {
      apiVersion: 'agents.proompteng.ai/v1alpha1',
      kind: 'AgentRun',
      metadata: {
        name,
        namespace: ns,
        uid: `${name}-uid`,
        generation: 1,
        creationTimestamp: '2026-01-01T00:00:00Z',
        resourceVersion: '1',
      },
      spec: { agentRef: { name: 'agent' }, implementationSpecRef: { name: 'task' }, runtime: { type: 'job' } },
    };
  }

  spec(patch: Partial<AgentRun['spec']>): this {
    Object.assign(this.run.spec, patch);
    return this;
  }

  config(config: Record<string, unknown>): this {
    this.run.spec.runtime = { ...this.run.spec.runtime, config };
    return this;
  }

  created(at: string): this {
    this.run.metadata.creationTimestamp = at;
    return this;
  }

  labels(labels: Record<string, string>): this {
    this.run.metadata.labels = labels;
    return this;
  }

  status(status: AgentRun['status']): this {
    this.run.status = status;
    return this;
  }

  build(): AgentRun {
    return structuredClone(this.run);
  }
}

export const makeRun = (name?: string, ns?: string) => new RunBuilder(name, ns);

/** The controllers config with test overrides (as env, so parsing is exercised too). */
export function testConfig(env: Record<string, string> = {}): ControllersConfig {
  return loadControllersConfig({ JANGAR_POD_NAMESPACE: 'ns', JANGAR_AGENT_RUNNER_IMAGE: 'runner:1', ...env });
}
