import { type Agent, type AgentProvider, type Memory } from '@agents/api';
import { CUSTOM } from '@agents/kube';
import type { ControllerContext } from '../../runtime/controller-context.js';
import type { ControllerSpec, ObjectKey, Reconciler } from '../../runtime/controller-runtime.js';
import { agentStatus } from './agent.status.js';

/** Agents: Ready when their provider (and memory) exist and they have a system prompt. */
export class AgentReconciler implements Reconciler {
  private readonly agents;
  private readonly providers;
  private readonly memories;

  constructor(private readonly ctx: ControllerContext) {
    this.agents = ctx.runtime.cache<Agent>(CUSTOM.Agent!);
    this.providers = ctx.runtime.cache<AgentProvider>(CUSTOM.AgentProvider!);
    this.memories = ctx.runtime.cache<Memory>(CUSTOM.Memory!);
  }

  spec(): ControllerSpec {
    // A provider or memory change concerns the agents of its namespace that reference it.
    const referrers =
      (field: 'providerRef' | 'memoryRef') => (o: { metadata?: { namespace?: string; name?: string } }) =>
        this.agents
          .list(o.metadata?.namespace)
          .filter((a) => a.spec[field]?.name === o.metadata?.name)
          .map((a) => ({ namespace: a.metadata.namespace!, name: a.metadata.name! }));
    return {
      name: 'agent',
      primary: CUSTOM.Agent!,
      reconciler: this,
      concurrency: 2,
      watches: [
        { resource: CUSTOM.AgentProvider!, map: referrers('providerRef') },
        { resource: CUSTOM.Memory!, map: referrers('memoryRef') },
      ],
    };
  }

  async reconcile({ namespace, name }: ObjectKey): Promise<void> {
    const agent = this.agents.get(namespace, name);
    if (!agent || agent.metadata.deletionTimestamp) return;
    const provider = this.providers.get(namespace, agent.spec.providerRef?.name ?? '');
    const memoryRef = agent.spec.memoryRef?.name;
    const memory = memoryRef ? this.memories.get(namespace, memoryRef) : null;
    const status = agentStatus(agent, { provider, memory }, this.ctx.clock.now());
    await this.ctx.status.write(CUSTOM.Agent!, agent, status);
  }
}
