import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CONTROLLER_CONTEXT, type ControllerContext } from '../../runtime/controller-context.js';
import { MemoryReconciler } from './memory.reconciler.js';

/** Registers the Memory reconciler with the controller runtime. */
@Module({})
export class MemoryModule implements OnModuleInit {
  constructor(@Inject(CONTROLLER_CONTEXT) private readonly ctx: ControllerContext) {}

  onModuleInit(): void {
    this.ctx.runtime.register(new MemoryReconciler(this.ctx).spec());
  }
}
