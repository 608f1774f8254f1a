import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CONTROLLER_CONTEXT, type ControllerContext } from '../../runtime/controller-context.js';
import { AgentProviderReconciler } from './agent-provider.reconciler.js';

/** Registers the AgentProvider reconciler with the controller runtime. */
@Module({})
export class AgentProviderModule implements OnModuleInit {
  constructor(@Inject(CONTROLLER_CONTEXT) private readonly ctx: ControllerContext) {}

  onModuleInit(): void {
    this.ctx.runtime.register(new AgentProviderReconciler(this.ctx).spec());
  }
}
