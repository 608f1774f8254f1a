import { ALL_KINDS, crdName } from '@agents/api';
import { CUSTOM, KubeApi, checkCrds, crdGuardMessage, loadClusterAccess, type ClusterAccess } from '@agents/kube';
import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
} from '@nestjs/common';
import type { ControllersConfig } from '../config/controllers.config.js';
import { ReadinessService } from '../health/readiness.service.js';
import { systemClock } from './clock.js';
import { CONTROLLER_CONTEXT, ControllerContext } from './controller-context.js';
import { ControllerRuntime } from './controller-runtime.js';
import { EventPublisher } from './event-publisher.js';
import { EventRecorder } from './event-recorder.js';
import { LeaderElector } from './leader-election.js';
import { ControllerMetrics } from './metrics.js';
import { StatusWriter } from './status-writer.js';
import { cacheTransforms } from './transforms.js';

export const CONTROLLERS_CONFIG = Symbol('ControllersConfig');
export const CLUSTER_ACCESS = Symbol('ClusterAccess');

/** Thrown when this replica writes while not leading: the write never reaches the API server. */
export class NotLeaderError extends Error {
  constructor() {
    super('not the leader: write refused');
  }
}

/** Starts the controllers after the HTTP server is up, and stops them cleanly (releasing the lease). */
@Injectable()
export class ControllersLifecycle implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Controllers');
  private elector: LeaderElector | undefined;

  constructor(
    @Inject(CONTROLLER_CONTEXT) private readonly ctx: ControllerContext,
    @Inject(CLUSTER_ACCESS) private readonly access: ClusterAccess,
    private readonly readiness: ReadinessService,
  ) {}

  get leaderElector(): LeaderElector | undefined {
    return this.elector;
  }

  /**
   * CRD guard → caches → leader election. Resolves with an error message when the CRD guard fails (the caller exits
   * non-zero); readiness reports every step until it is done.
   */
  async start(): Promise<string | undefined> {
    const { runtime, config } = this.ctx;
    const customNames = new Set(ALL_KINDS.map((k) => `${k.group}/${k.plural}`));
    const needed = runtime
      .watchedResources()
      .filter((r) => customNames.has(`${r.group}/${r.plural}`))
      .map((r) => crdName(ALL_KINDS.find((k) => k.group === r.group && k.plural === r.plural)!))
      .sort();
    this.readiness.set('crds', 'checking CustomResourceDefinitions');
    const guard = await checkCrds(this.ctx.api, needed);
    const problem = crdGuardMessage(guard);
    if (problem) {
      this.readiness.set('crds', problem);
      return problem;
    }
    this.readiness.set('crds', undefined);
    this.readiness.set('caches', 'informer caches are syncing');
    await runtime.start();
    this.readiness.set('caches', undefined);
    this.ctx.publisher.start();
    const leaderApi = KubeApi.fromAccess(this.access, {
      qps: 5,
      burst: 10,
      userAgent: 'agents-controllers/leader-election',
      // A renewal that hangs must not outlive its retry period.
      requestTimeoutMs: config.leaderElection.retryPeriodSeconds * 1000,
    });
    this.elector = new LeaderElector(
      leaderApi,
      { ...config.leaderElection, identity: config.identity },
      { onStartedLeading: () => runtime.startLeading(), onStoppedLeading: () => runtime.stopLeading() },
    );
    this.elector.start();
    this.logger.log(
      `Started ${config.namespaces === '*' ? 'for all namespaces' : `for namespaces ${config.namespaces.join(', ')}`}`,
    );
    return undefined;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.elector?.stop();
    await this.ctx.runtime.stop();
    await this.ctx.publisher.stop();
    this.ctx.api.close();
  }
}

@Global()
@Module({})
export class RuntimeModule {
  static register(config: ControllersConfig, access?: ClusterAccess): DynamicModule {
    return {
      module: RuntimeModule,
      providers: [
        { provide: CONTROLLERS_CONFIG, useValue: config },
        { provide: CLUSTER_ACCESS, useFactory: () => access ?? loadClusterAccess(config.kubeconfig) },
        ControllerMetrics,
        {
          provide: CONTROLLER_CONTEXT,
          inject: [CLUSTER_ACCESS, ControllerMetrics],
          useFactory: (access: ClusterAccess, metrics: ControllerMetrics) => {
            const leading = { runtime: undefined as ControllerRuntime | undefined };
            const api = KubeApi.fromAccess(access, {
              qps: config.kubeApi.qps,
              burst: config.kubeApi.burst,
              userAgent: 'agents-controllers',
              onRequest: ({ verb, resource, code }) => {
                metrics.apiRequests.inc({ verb, resource, code: String(code) });
                if (code === 0 || code >= 400) metrics.apiErrors.inc({ verb, resource, code: String(code) });
              },
              // Only the leader writes: a follower's write fails here, before reaching the API server.
              beforeWrite: () => {
                if (!leading.runtime?.isLeading) throw new NotLeaderError();
              },
            });
            const customResources = Object.values(CUSTOM);
            const runtime = new ControllerRuntime(
              api,
              {
                namespaces: config.namespaces,
                resyncIntervalMs: config.resyncIntervalMs,
                watchTimeoutSeconds: config.watchTimeoutSeconds,
              },
              metrics,
              cacheTransforms(customResources),
            );
            leading.runtime = runtime;
            return new ControllerContext(
              api,
              runtime,
              systemClock,
              config,
              new StatusWriter(api, systemClock, (r, o) => runtime.observeWrite(r, o)),
              new EventRecorder(api, systemClock, 'agents-controllers', config.identity),
              metrics,
              new EventPublisher(
                {
                  url: config.nats.url,
                  user: config.nats.user,
                  password: config.nats.password,
                  bufferSize: config.nats.bufferSize,
                },
                metrics,
              ),
            );
          },
        },
        ControllersLifecycle,
      ],
      exports: [CONTROLLERS_CONFIG, CONTROLLER_CONTEXT, ControllerMetrics, ControllersLifecycle],
    };
  }
}
