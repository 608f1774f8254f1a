import type { Agent, AgentProvider, AgentRun } from '@agents/api';
import { CUSTOM } from '@agents/kube';
import type { ControllerContext } from '../../runtime/controller-context.js';
import type { ControllerSpec, ObjectKey, ReconcileResult, Reconciler } from '../../runtime/controller-runtime.js';
import { agentProviderStatus, needsAuthSecret, type AuthSecretCheck } from './agent-provider.status.js';

/** AgentProviders: template and auth-secret validation, and health from the recent runs that used them. */
export class AgentProviderReconciler implements Reconciler {
  private readonly providers;
  private readonly agents;
  private readonly runs;

  constructor(private readonly ctx: ControllerContext) {
    this.providers = ctx.runtime.cache<AgentProvider>(CUSTOM.AgentProvider!);
    this.agents = ctx.runtime.cache<Agent>(CUSTOM.Agent!);
    this.runs = ctx.runtime.cache<AgentRun>(CUSTOM.AgentRun!);
  }

  spec(): ControllerSpec {
    return {
      name: 'agentprovider',
      primary: CUSTOM.AgentProvider!,
      reconciler: this,
      concurrency: 2,
      // A run that finishes may change its provider's health.
      watches: [
        {
          resource: CUSTOM.AgentRun!,
          map: (o) => {
            const run = o as unknown as AgentRun;
            if (!run.status?.finishedAt) return [];
            const agent = this.agents.get(run.metadata.namespace, run.spec.agentRef?.name ?? '');
            return agent ? [{ namespace: run.metadata.namespace!, name: agent.spec.providerRef.name }] : [];
          },
        },
      ],
    };
  }

  async reconcile({ namespace, name }: ObjectKey): Promise<ReconcileResult | void> {
    const provider = this.providers.get(namespace, name);
    if (!provider || provider.metadata.deletionTimestamp) return;
    const auth = await this.authSecret(provider, namespace);
    const agentNames = new Set(
      this.agents
        .list(namespace)
        .filter((a) => a.spec.providerRef?.name === name)
        .map((a) => a.metadata.name),
    );
    const runs = this.runs.list(namespace).filter((r) => agentNames.has(r.spec.agentRef?.name));
    const status = agentProviderStatus(provider, auth, runs, this.ctx.clock.now());
    await this.ctx.status.write(CUSTOM.AgentProvider!, provider, status);
    // Secrets are not watched (get-only RBAC): look again soon while the secret is missing.
    return auth.state === 'missing' ? { requeueAfterMs: 30_000 } : undefined;
  }

  private async authSecret(provider: AgentProvider, namespace: string): Promise<AuthSecretCheck> {
    if (!needsAuthSecret(provider)) return { state: 'not-needed' };
    const { name, key } = this.ctx.config.authSecret;
    if (!name) return { state: 'unconfigured' };
    const data = await this.ctx.readSecret(namespace, name);
    return data ? { state: 'present', name, content: data[key] } : { state: 'missing', name };
  }
}
