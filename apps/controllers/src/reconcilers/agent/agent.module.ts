import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CONTROLLER_CONTEXT, type ControllerContext } from '../../runtime/controller-context.js';
import { AgentReconciler } from './agent.reconciler.js';

/** Registers the Agent reconciler with the controller runtime. */
@Module({})
export class AgentModule implements OnModuleInit {
  constructor(@Inject(CONTROLLER_CONTEXT) private readonly ctx: ControllerContext) {}

  onModuleInit(): void {
    this.ctx.runtime.register(new AgentReconciler(this.ctx).spec());
  }
}
