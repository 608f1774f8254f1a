import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { ReadinessService } from '../../health/readiness.service.js';
import { CONTROLLER_CONTEXT, type ControllerContext } from '../../runtime/controller-context.js';
import { AgentRunReconciler } from './agent-run.reconciler.js';

/** Registers the AgentRun reconciler with the controller runtime. */
@Module({})
export class AgentRunModule implements OnModuleInit {
  constructor(
    @Inject(CONTROLLER_CONTEXT) private readonly ctx: ControllerContext,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit(): void {
    this.ctx.runtime.register(new AgentRunReconciler(this.ctx, this.readiness).spec());
  }
}
