import type { KubeApi } from '@agents/kube';
import { BUILTIN } from '@agents/kube';
import type { ControllersConfig } from '../config/controllers.config.js';
import type { Clock } from './clock.js';
import type { ControllerRuntime } from './controller-runtime.js';
import type { EventPublisher } from './event-publisher.js';
import type { EventRecorder } from './event-recorder.js';
import type { ControllerMetrics } from './metrics.js';
import type { StatusWriter } from './status-writer.js';

/** What every reconciler needs from the process: one object, so constructors stay small. */
export class ControllerContext {
  constructor(
    readonly api: KubeApi,
    readonly runtime: ControllerRuntime,
    readonly clock: Clock,
    readonly config: ControllersConfig,
    readonly status: StatusWriter,
    readonly events: EventRecorder,
    readonly metrics: ControllerMetrics,
    readonly publisher: EventPublisher,
  ) {}

  /** The decoded data of a Secret (RBAC: get only), undefined when it does not exist. */
  async readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const s = await this.api.get<{ data?: Record<string, string> }>(BUILTIN.secret, namespace, name);
    if (!s) return undefined;
    return Object.fromEntries(
      Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  }

  async readConfigMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const c = await this.api.get<{ data?: Record<string, string> }>(BUILTIN.configMap, namespace, name);
    return c ? (c.data ?? {}) : undefined;
  }
}

/** The Nest injection token of the context. */
export const CONTROLLER_CONTEXT = Symbol('ControllerContext');
