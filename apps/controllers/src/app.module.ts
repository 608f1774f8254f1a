import { Module, type DynamicModule } from '@nestjs/common';
import type { ClusterAccess } from '@agents/kube';
import type { ControllersConfig } from './config/controllers.config.js';
import { HealthModule } from './health/health.module.js';
import { AgentProviderModule } from './reconcilers/agent-provider/agent-provider.module.js';
import { AgentRunModule } from './reconcilers/agent-run/agent-run.module.js';
import { AgentModule } from './reconcilers/agent/agent.module.js';
import { ImplementationSpecModule } from './reconcilers/implementation-spec/implementation-spec.module.js';
import { MemoryModule } from './reconcilers/memory/memory.module.js';
import { VersionControlProviderModule } from './reconcilers/version-control-provider/version-control-provider.module.js';
import { RuntimeModule } from './runtime/runtime.module.js';

/** One reconciler module per kind, on a shared runtime (informers, work queues, leader election). */
@Module({})
export class AppModule {
  static register(config: ControllersConfig, access?: ClusterAccess): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.register(config, access),
        HealthModule,
        AgentModule,
        AgentProviderModule,
        ImplementationSpecModule,
        MemoryModule,
        VersionControlProviderModule,
        // controller.enabled=false: AgentRuns are left to another controller; the core kinds keep their status.
        ...(config.agentRunsEnabled ? [AgentRunModule] : []),
      ],
    };
  }
}
