import type { VersionControlProvider } from '@agents/api';
import { CUSTOM } from '@agents/kube';
import type { ControllerContext } from '../../runtime/controller-context.js';
import type { ControllerSpec, ObjectKey, ReconcileResult, Reconciler } from '../../runtime/controller-runtime.js';
import { authObjects, versionControlProviderStatus, type AuthObjects } from './version-control-provider.status.js';

/** VersionControlProviders: auth validated per method (Secrets and ConfigMaps read, never listed). */
export class VersionControlProviderReconciler implements Reconciler {
  private readonly providers;

  constructor(private readonly ctx: ControllerContext) {
    this.providers = ctx.runtime.cache<VersionControlProvider>(CUSTOM.VersionControlProvider!);
  }

  spec(): ControllerSpec {
    return {
      name: 'versioncontrolprovider',
      primary: CUSTOM.VersionControlProvider!,
      reconciler: this,
      concurrency: 2,
    };
  }

  async reconcile({ namespace, name }: ObjectKey): Promise<ReconcileResult | void> {
    const vcp = this.providers.get(namespace, name);
    if (!vcp || vcp.metadata.deletionTimestamp) return;
    const wanted = authObjects(vcp.spec);
    const seen: AuthObjects = { secrets: {}, configMaps: {} };
    for (const s of wanted.secrets)
      seen.secrets[s] = await this.ctx.readSecret(namespace, s).then((d) => (d ? Object.keys(d) : undefined));
    for (const c of wanted.configMaps)
      seen.configMaps[c] = await this.ctx.readConfigMap(namespace, c).then((d) => (d ? Object.keys(d) : undefined));
    const { vcs } = this.ctx.config;
    const status = versionControlProviderStatus(vcp, seen, vcs.deprecatedTokenTypes, vcs.enabled, this.ctx.clock.now());
    await this.ctx.status.write(CUSTOM.VersionControlProvider!, vcp, status);
    return status.conditions?.find((c) => c.type === 'Ready')?.status === 'True'
      ? undefined
      : { requeueAfterMs: 60_000 };
  }
}
