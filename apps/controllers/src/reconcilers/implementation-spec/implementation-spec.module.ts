import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CONTROLLER_CONTEXT, type ControllerContext } from '../../runtime/controller-context.js';
import { ImplementationSpecReconciler } from './implementation-spec.reconciler.js';

/** Registers the ImplementationSpec reconciler with the controller runtime. */
@Module({})
export class ImplementationSpecModule implements OnModuleInit {
  constructor(@Inject(CONTROLLER_CONTEXT) private readonly ctx: ControllerContext) {}

  onModuleInit(): void {
    this.ctx.runtime.register(new ImplementationSpecReconciler(this.ctx).spec());
  }
}
