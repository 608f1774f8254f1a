import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { CONTROLLER_CONTEXT, type ControllerContext } from '../../runtime/controller-context.js';
import { VersionControlProviderReconciler } from './version-control-provider.reconciler.js';

/** Registers the VersionControlProvider reconciler with the controller runtime. */
@Module({})
export class VersionControlProviderModule implements OnModuleInit {
  constructor(@Inject(CONTROLLER_CONTEXT) private readonly ctx: ControllerContext) {}

  onModuleInit(): void {
    this.ctx.runtime.register(new VersionControlProviderReconciler(this.ctx).spec());
  }
}
