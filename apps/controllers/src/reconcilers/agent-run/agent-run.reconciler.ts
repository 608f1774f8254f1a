import {
  ANNOTATIONS,
  AgentRunReason as R,
  FINALIZERS,
  LABELS,
  RETAIN_VALUES,
  type Agent,
  type AgentProvider,
  type AgentRun,
  type AgentRunStatus,
  type ImplementationSpec,
  type Memory,
  type VersionControlProvider,
} from '@agents/api';
import {
  BUILTIN,
  CacheIndex,
  CUSTOM,
  isAlreadyExists,
  isControlledBy,
  KubeApiError,
  type KubeObjectLike,
  type OwnerReferenceLike,
  type ResourceType,
} from '@agents/kube';
import { runSubject, subjectToken } from '@agents/nats';
import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { ControllerContext } from '../../runtime/controller-context.js';
import type { ControllerSpec, ObjectKey, ReconcileResult, Reconciler } from '../../runtime/controller-runtime.js';
import { fieldManager } from '../../runtime/status-writer.js';
import type { ReadinessService } from '../../health/readiness.service.js';
import { checkDuplicate, checkLimits, isActive, isPending, isTerminal } from './agent-run.admission.js';
import { AgentRunHousekeeping } from './agent-run.housekeeping.js';
import {
  desiredConfigMaps,
  desiredJob,
  inputsConfigMapName,
  jobName,
  runLabelValue,
  specConfigMapName,
  type JobUnit,
} from './agent-run.desired.js';
import { DEFAULT_LOOP_CONTROL_PATH } from './agent-run.loop.js';
import { forStep, resolveRun, type Resolved, type RunLookup, type SystemPromptRead } from './agent-run.resolve.js';
import { readOnly, withAppToken, type VcsContext } from './agent-run.vcs.js';
import { AppTokenError, GitHubAppTokens } from './github-app-token.js';
import {
  blockedStatus,
  failedBeforeStartStatus,
  FAILURE_LOG_LINES,
  immutabilityWarning,
  jobOutcome,
  needsFailureLogs,
  startedStatus,
  submittedStatus,
  specHash,
  templateStatus,
  terminalStatus,
  workflowRunningStatus,
  workflowTerminalStatus,
  type ObservedJob,
} from './agent-run.status.js';
import {
  currentAttempt,
  failedStart,
  planWorkflow,
  settledChanged,
  type AttemptObservation,
  type AttemptToStart,
  type WorkflowDecision,
} from './agent-run.workflow.js';

const FIELD_MANAGER = fieldManager('agentrun');
/** Failures that mean "a referenced object does not exist (yet)": held for a grace period before failing. */
const MISSING_DEPENDENCY = new Set<string>([
  R.MissingAgent,
  R.MissingProvider,
  R.MissingImplementation,
  R.MissingMemory,
]);
const BLOCKED_RECHECK_MS = 60_000;
/** How soon a run waiting for its GitHub App token asks again. */
const APP_TOKEN_RETRY_MS = 5_000;
const MAX_REQUEUE_MS = 3_600_000;
/** Bytes of one container's log read for a failed Job (120 long lines). */
const FAILURE_LOG_BYTES = 64 * 1024;

interface JobLike extends KubeObjectLike {
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: OwnerReferenceLike[];
  };
  status?: { conditions?: ObservedJob['conditions']; succeeded?: number; failed?: number };
}
interface PodLike extends KubeObjectLike {
  metadata: { name: string; namespace: string; ownerReferences?: OwnerReferenceLike[] };
  status?: {
    phase?: string;
    containerStatuses?: { name: string; state?: { terminated?: { message?: string } } }[];
  };
}

/** What the run's status is computed from: the Job and its pods, as the caches keep them. */
function observeJob(job: JobLike, pods: PodLike[]): ObservedJob {
  return {
    name: job.metadata.name,
    uid: job.metadata.uid,
    conditions: job.status?.conditions ?? [],
    succeeded: job.status?.succeeded ?? 0,
    failed: job.status?.failed ?? 0,
    started: pods.some((p) => p.status?.phase && p.status.phase !== 'Pending'),
    terminationMessages: pods.flatMap((p) =>
      (p.status?.containerStatuses ?? [])
        .filter((c) => c.name === 'agent-runner')
        .map((c) => c.state?.terminated?.message ?? ''),
    ),
  };
}

const isWorkflow = (run: AgentRun): boolean => run.spec.runtime?.type === 'workflow';

/** Since when the attempt a decision starts has been due: its step's last transition, else the previous step's end. */
function dueSince(run: AgentRun, decision: Extract<WorkflowDecision, { kind: 'start' }>, now: Date): number {
  const i = decision.start.step;
  const candidates = [
    decision.settled[i]?.lastTransitionTime,
    decision.settled[i - 1]?.finishedAt,
    run.status?.startedAt,
  ];
  for (const c of candidates) {
    const t = Date.parse(c ?? '');
    if (Number.isFinite(t)) return t;
  }
  return now.getTime();
}

/**
 * AgentRun on the job and workflow runtimes: validate → hold or admit → ConfigMaps + Job (one, or one per workflow
 * step attempt) → status from the Jobs and the runner's terminal JSON; cancellation, immutability, idempotency,
 * limits and retention. Every decision is a pure function of the cached state (agent-run.resolve / admission /
 * desired / status / workflow); this class only reads and writes.
 */
export class AgentRunReconciler implements Reconciler {
  private readonly logger = new Logger(AgentRunReconciler.name);
  private readonly runs;
  private readonly agents;
  private readonly providers;
  private readonly specs;
  private readonly memories;
  private readonly vcps;
  private readonly jobs;
  private readonly pods;
  private readonly podsByJob: CacheIndex<PodLike>;
  /** Runs admitted by this process that the cache does not show Running yet (uid → admitted at). */
  private readonly inFlight = new Map<string, number>();
  private readonly retentionBudget = new Map<string, { windowStart: number; used: number }>();
  private readonly appTokens: GitHubAppTokens;
  private readonly housekeeping: AgentRunHousekeeping;

  constructor(
    private readonly ctx: ControllerContext,
    readiness: ReadinessService,
  ) {
    this.appTokens = new GitHubAppTokens(ctx.clock);
    const rt = ctx.runtime;
    this.runs = rt.cache<AgentRun>(CUSTOM.AgentRun!);
    this.agents = rt.cache<Agent>(CUSTOM.Agent!);
    this.providers = rt.cache<AgentProvider>(CUSTOM.AgentProvider!);
    this.specs = rt.cache<ImplementationSpec>(CUSTOM.ImplementationSpec!);
    this.memories = rt.cache<Memory>(CUSTOM.Memory!);
    this.vcps = rt.cache<VersionControlProvider>(CUSTOM.VersionControlProvider!);
    this.jobs = rt.cache<JobLike>(BUILTIN.job, LABELS.agentRun);
    this.pods = rt.cache<PodLike>(BUILTIN.pod, LABELS.agentRun);
    // A Job's pods by its uid: a reconcile reads only its own, not every pod of the namespace.
    this.podsByJob = new CacheIndex<PodLike>(this.pods, (p) =>
      (p.metadata.ownerReferences ?? []).filter((r) => r.kind === 'Job').map((r) => r.uid),
    );
    this.housekeeping = new AgentRunHousekeeping(
      ctx,
      {
        runs: () => this.runs.list(),
        pods: () => this.pods.list(),
        jobUid: (ns, name) => this.jobs.get(ns, name)?.metadata.uid,
        watchSilenceSeconds: (ns) => {
          const ms = this.runs.silenceMs(ns);
          return ms === undefined ? undefined : ms / 1000;
        },
      },
      readiness,
    );
  }

  spec(): ControllerSpec {
    const pendingRuns = (ns: string | undefined, match: (r: AgentRun) => boolean) =>
      this.runs
        .list(ns)
        .filter((r) => isPending(r) && match(r))
        .map((r) => ({ namespace: r.metadata.namespace!, name: r.metadata.name! }));
    const ownerRun = (o: KubeObjectLike): ObjectKey[] => {
      const owner = o.metadata?.ownerReferences?.find((r) => r.kind === 'AgentRun' && r.controller);
      return owner ? [{ namespace: o.metadata!.namespace!, name: owner.name }] : [];
    };
    return {
      name: 'agentrun',
      primary: CUSTOM.AgentRun!,
      reconciler: this,
      concurrency: this.ctx.config.workers,
      onResync: () => this.housekeeping.sweep(),
      onStoppedLeading: () => this.housekeeping.stopLeading(),
      onPrimaryChange: (prev, obj) => {
        // A run that stops being active (or goes away) frees capacity: wake the held runs.
        const wasActive = !!prev && isActive(prev as AgentRun);
        const stillActive = !!obj && isActive(obj as AgentRun);
        if (!wasActive || stillActive) return [];
        const blocked = (r: AgentRun) =>
          r.status?.conditions?.some((c) => c.type === 'Blocked' && c.status === 'True') ?? false;
        return pendingRuns(undefined, blocked);
      },
      watches: [
        { resource: BUILTIN.job, labelSelector: LABELS.agentRun, map: ownerRun },
        {
          resource: BUILTIN.pod,
          labelSelector: LABELS.agentRun,
          map: (pod) => {
            const jobRef = pod.metadata?.ownerReferences?.find((r) => r.kind === 'Job');
            const job = jobRef ? this.jobs.get(pod.metadata?.namespace, jobRef.name) : undefined;
            return job ? ownerRun(job) : [];
          },
        },
        {
          resource: CUSTOM.Agent!,
          map: (o) => pendingRuns(o.metadata?.namespace, (r) => r.spec.agentRef?.name === o.metadata?.name),
        },
        { resource: CUSTOM.AgentProvider!, map: (o) => pendingRuns(o.metadata?.namespace, () => true) },
        {
          resource: CUSTOM.ImplementationSpec!,
          map: (o) =>
            pendingRuns(o.metadata?.namespace, (r) => r.spec.implementationSpecRef?.name === o.metadata?.name),
        },
        { resource: CUSTOM.Memory!, map: (o) => pendingRuns(o.metadata?.namespace, () => true) },
      ],
    };
  }

  async reconcile({ namespace, name }: ObjectKey): Promise<ReconcileResult | void> {
    const run = this.runs.get(namespace, name);
    if (!run) return;
    this.forgetAdmitted(run);
    if (run.metadata.deletionTimestamp) return this.finalize(run);
    if (run.metadata.annotations?.[ANNOTATIONS.template] === 'true') return this.template(run);
    if (isTerminal(run)) return this.retention(run);
    if (isActive(run)) return this.running(run);
    return this.pending(run);
  }

  // --- deletion and templates --------------------------------------------------------------------------------

  private async finalize(run: AgentRun): Promise<void> {
    if (!run.metadata.finalizers?.includes(FINALIZERS.runtimeCleanup)) return;
    await this.stopRuntime(run);
    await this.setFinalizer(run, false);
    this.logger.log(`Cleaned up AgentRun ${run.metadata.namespace}/${run.metadata.name}`);
  }

  private async template(run: AgentRun): Promise<void> {
    if (run.status?.runtimeRef) await this.stopRuntime(run);
    let current = run;
    if (run.metadata.finalizers?.includes(FINALIZERS.runtimeCleanup)) current = await this.setFinalizer(run, false);
    await this.ctx.status.write(CUSTOM.AgentRun!, current, templateStatus(current, this.ctx.clock.now()));
  }

  /** Deletes the run's Jobs (and their pods) and its ConfigMaps. */
  private async stopRuntime(run: AgentRun): Promise<void> {
    const ns = run.metadata.namespace!;
    if (isWorkflow(run)) return this.stopWorkflow(run);
    await Promise.all([
      this.ctx.api.delete(BUILTIN.job, ns, jobName(run), { propagationPolicy: 'Background' }),
      this.ctx.api.delete(BUILTIN.configMap, ns, specConfigMapName(run)),
      this.ctx.api.delete(BUILTIN.configMap, ns, inputsConfigMapName(run)),
    ]);
  }

  /** Deletes every Job and ConfigMap of a workflow run: all attempts of all its steps. */
  private async stopWorkflow(run: AgentRun): Promise<void> {
    const ns = run.metadata.namespace!;
    const selector = `${LABELS.agentRun}=${runLabelValue(run.metadata.name ?? '')}`;
    const mine = (o: KubeObjectLike) => isControlledBy(o as never, run.metadata.uid);
    const [jobs, configMaps] = await Promise.all([
      this.ctx.api.list<JobLike>(BUILTIN.job, ns, { labelSelector: selector }),
      this.ctx.api.list<KubeObjectLike>(BUILTIN.configMap, ns, { labelSelector: selector }),
    ]);
    // The status names jobs the list may not show yet (created a moment ago).
    const jobNames = new Set([
      ...jobs.items.filter(mine).map((j) => j.metadata.name),
      ...(run.status?.workflow?.steps ?? []).flatMap((st) => (st.jobRef?.name ? [st.jobRef.name] : [])),
    ]);
    await Promise.all([
      ...[...jobNames].map((name) => this.ctx.api.delete(BUILTIN.job, ns, name, { propagationPolicy: 'Background' })),
      ...configMaps.items.filter(mine).map((cm) => this.ctx.api.delete(BUILTIN.configMap, ns, cm.metadata!.name!)),
    ]);
  }

  /** Adds or removes our finalizer (merge patch carrying the resourceVersion); returns the updated run. */
  private async setFinalizer(
    run: AgentRun,
    present: boolean,
    extraLabels: Record<string, string> = {},
  ): Promise<AgentRun> {
    const current = run.metadata.finalizers ?? [];
    const finalizers = present
      ? [...new Set([...current, FINALIZERS.runtimeCleanup])]
      : current.filter((f) => f !== FINALIZERS.runtimeCleanup);
    const patched = await this.ctx.api.mergePatch<AgentRun>(
      CUSTOM.AgentRun!,
      run.metadata.namespace,
      run.metadata.name!,
      {
        metadata: {
          resourceVersion: run.metadata.resourceVersion,
          finalizers,
          ...(Object.keys(extraLabels).length ? { labels: extraLabels } : {}),
        },
      },
      { fieldManager: FIELD_MANAGER },
    );
    this.runs.observeWrite(patched);
    return patched;
  }

  // --- pending: validate, hold or admit ------------------------------------------------------------------------

  private async pending(run: AgentRun): Promise<ReconcileResult | void> {
    const now = this.ctx.clock.now();
    if (run.metadata.annotations?.[ANNOTATIONS.cancelRequested] !== undefined) {
      return this.finishBeforeStart(
        run,
        { reason: R.Cancelled, message: 'cancelled before it started', condition: 'Failed' },
        'Cancelled',
      );
    }
    if (this.ctx.config.runs.idempotencyEnabled && run.spec.idempotencyKey) {
      const dup = checkDuplicate(run, this.runs.list(run.metadata.namespace));
      if (dup.duplicate) {
        return this.finishBeforeStart(run, {
          reason: dup.reason,
          message: `idempotency key ${run.spec.idempotencyKey} already belongs to AgentRun ${dup.owner}`,
          condition: 'Duplicate',
        });
      }
    }
    const resolution = resolveRun(
      run,
      this.lookup(run.metadata.namespace!),
      await this.readSystemPrompt(run),
      this.ctx.config,
    );
    const ageMs = now.getTime() - Date.parse(String(run.metadata.creationTimestamp ?? now.toISOString()));
    const graceMs = this.ctx.config.runs.dependencyGraceSeconds * 1000;
    if (resolution.ok === false) {
      const { failure } = resolution;
      if (MISSING_DEPENDENCY.has(failure.reason) && ageMs < graceMs) {
        await this.writeStatus(
          run,
          blockedStatus(
            run,
            failure.reason,
            `${failure.message}; waiting for it (the run fails after ${graceMs / 1000}s)`,
            now,
          ),
        );
        return { requeueAfterMs: Math.max(500, graceMs - ageMs) };
      }
      return this.finishBeforeStart(run, failure);
    }
    if (resolution.ok === 'hold') {
      await this.writeStatus(run, blockedStatus(run, resolution.hold.reason, resolution.hold.message, now));
      this.ctx.metrics.admissionBlocked.inc({ scope: 'provider', reason: resolution.hold.reason });
      return { requeueAfterMs: BLOCKED_RECHECK_MS };
    }
    // Before the limits: from their check to the submit there must be no wait, or two runs could take one slot.
    let resolved = resolution.resolved;
    if (resolved.vcs?.app) {
      const minted = await this.appCredentials(run, resolved.vcs);
      if (minted instanceof AppTokenError) {
        const message = `GitHub App token of installation ${resolved.vcs.app.installationId}: ${minted.message}`;
        if (!minted.permanent && ageMs < graceMs) {
          await this.writeStatus(
            run,
            blockedStatus(
              run,
              R.VcsAuthUnavailable,
              `${message}; retrying (the run goes on without it after ${graceMs / 1000}s)`,
              now,
            ),
          );
          return { requeueAfterMs: Math.min(APP_TOKEN_RETRY_MS, Math.max(500, graceMs - ageMs)) };
        }
        if (resolved.vcs.required && resolved.vcs.mode === 'read-write')
          return this.finishBeforeStart(run, { reason: R.VcsAuthUnavailable, message, condition: 'Failed' });
        this.ctx.events.record(run, 'Warning', R.VcsAuthUnavailable, `${message}; the run goes on read-only`);
        resolved = { ...resolved, vcs: readOnly(resolved.vcs) };
      } else {
        resolved = { ...resolved, vcs: minted };
      }
    }
    const block = checkLimits(run, this.runs.list(), new Set(this.inFlight.keys()), this.ctx.config.limits, now);
    if (block) {
      const wasBlocked = run.status?.conditions?.some(
        (c) => c.type === 'Blocked' && c.status === 'True' && c.reason === block.reason,
      );
      await this.writeStatus(run, blockedStatus(run, block.reason, block.message, now));
      if (!wasBlocked) {
        this.ctx.metrics.admissionBlocked.inc({ scope: block.scope, reason: block.reason });
        this.ctx.events.record(run, 'Warning', block.reason, block.message);
      }
      return { requeueAfterMs: block.retryAfterMs ?? BLOCKED_RECHECK_MS };
    }
    return this.submit(run, resolved);
  }

  /**
   * The run's VCS context with its GitHub App installation token, or why there is none. Failures that may pass (the
   * key's Secret not created yet, GitHub unreachable or busy) are not permanent; a bad key or a refused App are.
   */
  private async appCredentials(run: AgentRun, vcs: VcsContext): Promise<VcsContext | AppTokenError> {
    const app = vcs.app!;
    try {
      const token = await this.appTokens.token(app, async () => {
        const { name, key } = app.privateKey;
        const data = await this.ctx.readSecret(run.metadata.namespace!, name);
        if (!data) throw new AppTokenError(`Secret ${name} (auth.app.privateKeySecretRef) not found`, false);
        const pem = data[key];
        if (!pem) throw new AppTokenError(`Secret ${name} has no key ${key} (auth.app.privateKeySecretRef.key)`, true);
        return pem;
      });
      return withAppToken(vcs, token);
    } catch (err) {
      if (err instanceof AppTokenError) return err;
      throw err;
    }
  }

  private async submit(run: AgentRun, resolved: Resolved): Promise<ReconcileResult | void> {
    const ns = run.metadata.namespace!;
    this.inFlight.set(run.metadata.uid!, Date.now());
    const labels: Record<string, string> = {};
    if (run.spec.idempotencyKey) {
      labels[LABELS.idempotencyKey] = createHash('sha256')
        .update(`${run.spec.agentRef.name}/${run.spec.idempotencyKey}`)
        .digest('hex')
        .slice(0, 40);
    }
    if (isWorkflow(run)) return this.startWorkflow(run, resolved, labels);
    const made = await this.createAttempt(run, resolved, undefined, labels);
    if ('refused' in made) {
      this.inFlight.delete(run.metadata.uid!);
      await this.stopRuntime(made.run);
      return this.finishBeforeStart(made.run, made.refused);
    }
    const { run: current, job } = made;
    const name = job.metadata?.name ?? jobName(current);
    await this.writeStatus(
      current,
      submittedStatus(current, resolved, { name, uid: job.metadata?.uid as string | undefined }, this.ctx.clock.now()),
    );
    this.logger.log(`Created Job ${ns}/${name} for AgentRun ${current.metadata.name}`);
  }

  /**
   * Creates the ConfigMaps and the Job of one attempt (with the finalizer first when `finalizerLabels` is given).
   * The finalizer and the children go in one round trip, not three in a row: the children carry the run's
   * ownerReference from their first byte, so a deletion that comes in between still takes them along. A child the
   * API server refuses as invalid (a bad quantity or volume in the run's spec) comes back as `refused`: retrying the
   * same object cannot succeed.
   */
  private async createAttempt(
    run: AgentRun,
    resolved: Resolved,
    unit: JobUnit | undefined,
    finalizerLabels: Record<string, string> | undefined,
  ): Promise<
    | { run: AgentRun; job: KubeObjectLike }
    | { run: AgentRun; refused: { reason: string; message: string; condition: 'Failed' } }
  > {
    const config = this.ctx.config;
    const configMaps = Promise.all(
      desiredConfigMaps(run, resolved, config, unit).map((cm) =>
        this.createOwned(BUILTIN.configMap, cm as unknown as KubeObjectLike, run),
      ),
    );
    const [marked, configMap, created] = await Promise.allSettled([
      !finalizerLabels || run.metadata.finalizers?.includes(FINALIZERS.runtimeCleanup)
        ? Promise.resolve(run)
        : this.setFinalizer(run, true, finalizerLabels),
      configMaps,
      this.createOwned(
        BUILTIN.job,
        desiredJob(run, resolved, config, { natsUrl: config.nats.url }, unit) as KubeObjectLike,
        run,
      ),
    ]);
    if (marked.status === 'rejected') throw marked.reason;
    const current = marked.value;
    for (const [making, result] of [
      ['ConfigMap', configMap],
      ['Job', created],
    ] as const) {
      if (result.status === 'fulfilled') continue;
      const err: unknown = result.reason;
      if (!(err instanceof KubeApiError) || (err.code !== 422 && err.code !== 400)) throw err;
      const why = err.causes.length ? err.causes.map((c) => `${c.field}: ${c.message}`).join('; ') : err.statusMessage;
      return {
        run: current,
        refused: {
          reason: R.SubmitFailed,
          message: `the API server refused the run's ${making}: ${why}`.slice(0, 1024),
          condition: 'Failed',
        },
      };
    }
    return { run: current, job: (created as PromiseFulfilledResult<KubeObjectLike>).value };
  }

  /**
   * Creates a child; if it already exists (a previous reconcile got this far), adopts it when we own it and
   * otherwise fails loudly without touching it.
   */
  private async createOwned(resource: ResourceType, obj: KubeObjectLike, owner: AgentRun): Promise<KubeObjectLike> {
    try {
      return await this.ctx.api.create<KubeObjectLike>(resource, obj, { fieldManager: FIELD_MANAGER });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.ctx.api.get<KubeObjectLike>(resource, obj.metadata?.namespace, obj.metadata!.name!);
      if (existing && isControlledBy(existing as never, owner.metadata.uid)) return existing;
      throw new Error(
        `${resource.kind} ${obj.metadata?.name} already exists and belongs to another object; delete it or rename the run`,
        { cause: err },
      );
    }
  }

  private async finishBeforeStart(
    run: AgentRun,
    failure: { reason: string; message: string; condition: 'InvalidSpec' | 'Failed' | 'Duplicate' },
    phase: 'Failed' | 'Cancelled' = 'Failed',
  ): Promise<void> {
    const now = this.ctx.clock.now();
    let status = failedBeforeStartStatus(run, failure, now);
    if (phase === 'Cancelled') status = { ...status, phase: 'Cancelled' };
    if (await this.writeStatus(run, status)) {
      this.ctx.events.record(run, 'Warning', failure.reason, failure.message);
      this.ctx.metrics.runOutcomes.inc({ namespace: run.metadata.namespace, phase, reason: failure.reason });
    }
  }

  // --- running: follow the Job ---------------------------------------------------------------------------------

  private async running(run: AgentRun): Promise<ReconcileResult | void> {
    const now = this.ctx.clock.now();
    const { immutabilityEnforced, artifactsMax } = this.ctx.config.runs;
    if (run.status?.specHash && run.status.specHash !== specHash(run)) {
      if (immutabilityEnforced) await this.stopRuntime(run);
      await this.writeStatus(run, immutabilityWarning(run, immutabilityEnforced, now));
      if (immutabilityEnforced) return this.retention(run);
    }
    if (run.metadata.annotations?.[ANNOTATIONS.cancelRequested] !== undefined) {
      await this.stopRuntime(run);
      await this.writeStatus(
        run,
        terminalStatus(
          run,
          { done: true, phase: 'Cancelled', reason: R.Cancelled, message: 'cancelled on request' },
          now,
          { max: artifactsMax },
        ),
      );
      return;
    }
    if (isWorkflow(run)) return this.runningWorkflow(run);
    const ns = run.metadata.namespace!;
    const name = jobName(run);
    // The cache may lag our own create: ask the API server before concluding the Job is gone.
    const job = this.jobs.get(ns, name) ?? (await this.ctx.api.get<JobLike>(BUILTIN.job, ns, name));
    if (!job) {
      const runner = run.status?.runner as { status?: string } | undefined;
      const outcome = runner?.status
        ? jobOutcome({
            name,
            conditions: [{ type: 'Complete', status: 'True' }],
            succeeded: 1,
            failed: 0,
            terminationMessages: [JSON.stringify(runner)],
          })
        : ({
            done: true,
            phase: 'Failed',
            reason: R.JobMissing,
            message: `Job ${name} was deleted before the run finished`,
          } as const);
      if (outcome.done) await this.finishRun(run, outcome);
      return;
    }
    if (this.foreign(run, job)) return { requeueAfterMs: 5000 };
    const { observed, outcome } = await this.inspect(job);
    if (!outcome.done) {
      if (run.status?.phase === 'Pending' && observed.started)
        await this.writeStatus(run, startedStatus(run, name, now));
      return;
    }
    await this.finishRun(run, outcome);
    return this.retentionRequeue(run);
  }

  // --- workflow: one step at a time, one Job per attempt ---------------------------------------------------------

  private async startWorkflow(
    run: AgentRun,
    resolved: Resolved,
    labels: Record<string, string>,
  ): Promise<ReconcileResult | void> {
    const decision = planWorkflow(run, undefined, this.ctx.clock.now(), this.workflowOptions());
    if (decision.kind !== 'start') throw new Error(`a new workflow run must start a step, not ${decision.kind}`);
    return this.startAttempt(run, resolved, decision, labels);
  }

  private async runningWorkflow(run: AgentRun): Promise<ReconcileResult | void> {
    const ns = run.metadata.namespace!;
    const current = currentAttempt(run);
    let observed: AttemptObservation | undefined;
    if (current) {
      const name = current.jobName;
      const job = this.jobs.get(ns, name) ?? (await this.ctx.api.get<JobLike>(BUILTIN.job, ns, name));
      if (!job) {
        observed = { kind: 'missing' };
      } else if (this.foreign(run, job)) {
        return { requeueAfterMs: 5000 };
      } else {
        const { outcome } = await this.inspect(job);
        observed = { kind: 'job', outcome, loopControl: job.metadata.annotations?.[ANNOTATIONS.loopControl] };
      }
    }
    const now = this.ctx.clock.now();
    const decision = planWorkflow(run, observed, now, this.workflowOptions());
    const artifactsMax = this.ctx.config.runs.artifactsMax;
    // Attempts given up on (timed out) are stopped once the status says so: a crash before leaves them to their deadline.
    const stopGivenUp = () =>
      Promise.all(
        decision.stop.map((name) => this.ctx.api.delete(BUILTIN.job, ns, name, { propagationPolicy: 'Background' })),
      );
    if (decision.kind === 'finish') {
      const result = await this.finishWorkflow(run, decision);
      await stopGivenUp();
      return result;
    }
    if (decision.kind === 'wait') {
      await this.writeStatus(run, workflowRunningStatus(run, decision, now, { artifactsMax }));
      await stopGivenUp();
      return decision.requeueAfterMs !== undefined
        ? { requeueAfterMs: Math.max(100, decision.requeueAfterMs) }
        : undefined;
    }
    // What was decided about earlier attempts is recorded before the next one is built: a hold, an API error or a
    // crash from here on must not lose a step's success to its Job's TTL.
    let latest = run;
    if (settledChanged(run, decision)) {
      const settled = { kind: 'wait' as const, steps: decision.settled, produced: decision.produced, stop: [] };
      await this.writeStatus(run, workflowRunningStatus(run, settled, now, { artifactsMax }));
      latest = this.runs.get(ns, run.metadata.name!) ?? run;
    }
    await stopGivenUp();
    return this.nextAttempt(latest, decision);
  }

  /** Builds the next attempt from the cluster as it is now (its ImplementationSpec, the prompt, a fresh token). */
  private async nextAttempt(
    run: AgentRun,
    decision: Extract<WorkflowDecision, { kind: 'start' }>,
  ): Promise<ReconcileResult | void> {
    const now = this.ctx.clock.now();
    const resolution = resolveRun(
      run,
      this.lookup(run.metadata.namespace!),
      await this.readSystemPrompt(run),
      this.ctx.config,
    );
    if (resolution.ok === 'hold') return { requeueAfterMs: BLOCKED_RECHECK_MS };
    if (resolution.ok === false) {
      const { reason, message, condition } = resolution.failure;
      // As at admission, an object that is missing (being re-created, applied out of order) gets the grace period,
      // counted from when the step became due.
      const graceMs = this.ctx.config.runs.dependencyGraceSeconds * 1000;
      const waitedMs = now.getTime() - dueSince(run, decision, now);
      if (MISSING_DEPENDENCY.has(reason) && waitedMs < graceMs) {
        this.logger.warn(
          `AgentRun ${run.metadata.namespace}/${run.metadata.name}: ${message}; waiting for it (the run fails after ${graceMs / 1000}s)`,
        );
        return { requeueAfterMs: Math.min(APP_TOKEN_RETRY_MS, Math.max(500, graceMs - waitedMs)) };
      }
      return this.finishWorkflow(
        run,
        failedStart(decision, { phase: 'Failed', reason, message }, now),
        condition === 'InvalidSpec',
      );
    }
    let resolved = resolution.resolved;
    if (resolved.vcs?.app) {
      const minted = await this.appCredentials(run, resolved.vcs);
      if (minted instanceof AppTokenError) {
        if (!minted.permanent) return { requeueAfterMs: APP_TOKEN_RETRY_MS };
        const message = `GitHub App token of installation ${resolved.vcs.app.installationId}: ${minted.message}`;
        if (resolved.vcs.required && resolved.vcs.mode === 'read-write')
          return this.finishWorkflow(
            run,
            failedStart(decision, { phase: 'Failed', reason: R.VcsAuthUnavailable, message }, now),
          );
        resolved = { ...resolved, vcs: readOnly(resolved.vcs) };
      } else {
        resolved = { ...resolved, vcs: minted };
      }
    }
    return this.startAttempt(run, resolved, decision, undefined);
  }

  /** Creates the attempt's ConfigMaps and Job, then records it (the first one also marks the run accepted). */
  private async startAttempt(
    run: AgentRun,
    resolved: Resolved,
    decision: Extract<WorkflowDecision, { kind: 'start' }>,
    finalizerLabels: Record<string, string> | undefined,
  ): Promise<ReconcileResult | void> {
    const { start } = decision;
    const step = resolved.steps![start.step]!;
    const made = await this.createAttempt(run, forStep(resolved, step), this.unitOf(run, start), finalizerLabels);
    const first = finalizerLabels !== undefined;
    if ('refused' in made) {
      if (first) this.inFlight.delete(run.metadata.uid!);
      await this.stopRuntime(made.run);
      if (first) return this.finishBeforeStart(made.run, made.refused);
      const { reason, message } = made.refused;
      return this.finishWorkflow(
        made.run,
        failedStart(decision, { phase: 'Failed', reason, message }, this.ctx.clock.now()),
      );
    }
    const now = this.ctx.clock.now();
    await this.writeStatus(
      made.run,
      workflowRunningStatus(made.run, decision, now, {
        artifactsMax: this.ctx.config.runs.artifactsMax,
        jobUid: made.job.metadata?.uid as string | undefined,
        ...(first ? { submitted: resolved } : {}),
      }),
    );
    this.logger.log(
      `Created Job ${run.metadata.namespace}/${start.jobName} for step ${step.name} of AgentRun ${run.metadata.name}`,
    );
  }

  private unitOf(run: AgentRun, start: AttemptToStart): JobUnit {
    const spec = run.spec.workflow!.steps[start.step]!;
    const condition = spec.loop?.condition;
    return {
      suffix: start.suffix,
      step: {
        name: spec.name,
        index: start.step + 1,
        attempt: start.attempt,
        ...(start.iteration !== undefined ? { iteration: start.iteration } : {}),
      },
      ...(condition?.expression ? { loopControlPath: condition.source?.path ?? DEFAULT_LOOP_CONTROL_PATH } : {}),
    };
  }

  private async finishWorkflow(
    run: AgentRun,
    decision: Extract<WorkflowDecision, { kind: 'finish' }>,
    invalidSpec = false,
  ): Promise<ReconcileResult | void> {
    const { artifactsMax: max, artifactsStrict: strict } = this.ctx.config.runs;
    const status = workflowTerminalStatus(run, decision, this.ctx.clock.now(), { max, strict }, invalidSpec);
    if (await this.writeStatus(run, status)) {
      const { phase = decision.outcome.phase, reason = decision.outcome.reason, message = '' } = status;
      this.ctx.metrics.runOutcomes.inc({ namespace: run.metadata.namespace, phase, reason });
      if (phase !== 'Succeeded') this.ctx.events.record(run, 'Warning', reason, message);
      this.logger.log(`AgentRun ${run.metadata.namespace}/${run.metadata.name} ${phase} (${reason})`);
    }
    return this.retentionRequeue(run);
  }

  private workflowOptions() {
    return { historyLimit: this.ctx.config.workflow.loopHistoryLimit };
  }

  /** A Job of the run's name that another object owns: left alone (logged), and the run waits. */
  private foreign(run: AgentRun, job: JobLike): boolean {
    if (isControlledBy(job as never, run.metadata.uid)) return false;
    this.logger.warn(
      `Job ${job.metadata.namespace}/${job.metadata.name} is not owned by AgentRun ${run.metadata.name} (uid ${run.metadata.uid}); waiting`,
    );
    return true;
  }

  /** What the Job and its pods say; a failed Job without a runner status has its pods' logs read to tell why. */
  private async inspect(job: JobLike): Promise<{ observed: ObservedJob; outcome: ReturnType<typeof jobOutcome> }> {
    const pods = await this.jobPods(job);
    let observed = observeJob(job, pods);
    let outcome = jobOutcome(observed);
    if (needsFailureLogs(observed, outcome)) {
      observed = { ...observed, logs: await this.failureLogs(pods) };
      outcome = jobOutcome(observed);
    }
    return { observed, outcome };
  }

  /** The Job's pods; read from the API server once when the Job finished before its pods reached the cache. */
  private async jobPods(job: JobLike): Promise<PodLike[]> {
    const mine = (p: PodLike) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === job.metadata.uid);
    const pods = this.podsByJob.get(job.metadata.uid ?? '');
    const finished = job.status?.conditions?.some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (pods.length > 0 || !finished) return pods;
    const listed = await this.ctx.api.list<PodLike>(BUILTIN.pod, job.metadata.namespace, {
      labelSelector: `batch.kubernetes.io/job-name=${job.metadata.name}`,
    });
    return listed.items.filter(mine);
  }

  /**
   * The last lines of every container of a failed Job's pods. A log that cannot be read (the node is gone, the
   * kubelet does not answer) counts as empty: the run still fails, as JobFailed.
   */
  private async failureLogs(pods: PodLike[]): Promise<string[]> {
    const reads = pods.flatMap((p) =>
      (p.status?.containerStatuses ?? []).map(({ name: container }) =>
        this.ctx.api
          .podLog(p.metadata.namespace, p.metadata.name, {
            container,
            tailLines: FAILURE_LOG_LINES,
            limitBytes: FAILURE_LOG_BYTES,
          })
          .catch((err: unknown) => {
            this.logger.debug(`log of ${p.metadata.namespace}/${p.metadata.name}/${container}: ${String(err)}`);
            return '';
          }),
      ),
    );
    return Promise.all(reads);
  }

  private async finishRun(
    run: AgentRun,
    outcome: Extract<ReturnType<typeof jobOutcome>, { done: true }>,
  ): Promise<void> {
    const { artifactsMax: max, artifactsStrict: strict } = this.ctx.config.runs;
    const status = terminalStatus(run, outcome, this.ctx.clock.now(), { max, strict });
    if (!(await this.writeStatus(run, status))) return;
    const { phase = outcome.phase, reason = outcome.reason, message = outcome.message } = status;
    this.ctx.metrics.runOutcomes.inc({ namespace: run.metadata.namespace, phase, reason });
    if (phase !== 'Succeeded') this.ctx.events.record(run, 'Warning', reason, message);
    this.logger.log(`AgentRun ${run.metadata.namespace}/${run.metadata.name} ${phase} (${reason})`);
  }

  // --- retention -----------------------------------------------------------------------------------------------

  /** When a finished run may be deleted, or undefined to keep it. */
  private retentionDeadline(run: AgentRun): number | undefined {
    const retain = run.metadata.annotations?.[ANNOTATIONS.retain]?.toLowerCase();
    if (retain && (RETAIN_VALUES as readonly string[]).includes(retain)) return undefined;
    const { retention } = this.ctx.config;
    const ttl = run.spec.ttlSecondsAfterFinished;
    const seconds = ttl !== undefined && ttl > 0 ? ttl : ttl === 0 ? retention.zeroTtlMaxSeconds : retention.seconds;
    if (!seconds) return undefined;
    const from = Date.parse(run.status?.finishedAt ?? run.status?.updatedAt ?? String(run.metadata.creationTimestamp));
    return Number.isFinite(from) ? from + seconds * 1000 : undefined;
  }

  private retentionRequeue(run: AgentRun): ReconcileResult | void {
    const deadline = this.retentionDeadline(run);
    if (deadline === undefined) return;
    return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, Math.max(1000, deadline - this.ctx.clock.now().getTime())) };
  }

  private async retention(run: AgentRun): Promise<ReconcileResult | void> {
    const deadline = this.retentionDeadline(run);
    if (deadline === undefined) return;
    const now = this.ctx.clock.now().getTime();
    if (now < deadline) return this.retentionRequeue(run);
    const ns = run.metadata.namespace!;
    const windowMs = this.ctx.config.resyncIntervalMs;
    const budget = this.retentionBudget.get(ns) ?? { windowStart: now, used: 0 };
    if (now - budget.windowStart >= windowMs) Object.assign(budget, { windowStart: now, used: 0 });
    if (budget.used >= this.ctx.config.retention.maxDeletesPerNamespace)
      return { requeueAfterMs: budget.windowStart + windowMs - now };
    budget.used += 1;
    this.retentionBudget.set(ns, budget);
    try {
      await this.ctx.api.delete(CUSTOM.AgentRun!, ns, run.metadata.name!, {
        uid: run.metadata.uid,
        propagationPolicy: 'Background',
      });
    } catch (err) {
      this.ctx.metrics.retentionDeleteErrors.inc({ namespace: ns });
      throw err;
    }
    this.ctx.metrics.retentionDeletes.inc({ namespace: ns });
    this.logger.log(`Deleted AgentRun ${ns}/${run.metadata.name}: retention expired`);
  }

  // --- helpers -------------------------------------------------------------------------------------------------

  private lookup(ns: string): RunLookup {
    return {
      agent: (n) => this.agents.get(ns, n),
      provider: (n) => this.providers.get(ns, n),
      implementationSpec: (n) => this.specs.get(ns, n),
      memory: (n) => this.memories.get(ns, n),
      memories: () => this.memories.list(ns),
      versionControlProvider: (n) => this.vcps.get(ns, n),
    };
  }

  private async readSystemPrompt(run: AgentRun): Promise<SystemPromptRead> {
    const agent = this.agents.get(run.metadata.namespace, run.spec.agentRef?.name ?? '');
    const d = agent?.spec.defaults;
    if (d?.systemPromptRef) {
      const ref = d.systemPromptRef;
      try {
        const data =
          ref.kind === 'Secret'
            ? await this.ctx.readSecret(run.metadata.namespace!, ref.name)
            : await this.ctx.readConfigMap(run.metadata.namespace!, ref.name);
        return { kind: 'ref', ref, exists: !!data, text: data?.[ref.key] };
      } catch (err) {
        return { kind: 'error', ref, message: err instanceof Error ? err.message : String(err) };
      }
    }
    if (d?.systemPrompt) return { kind: 'inline', text: d.systemPrompt };
    return { kind: 'none' };
  }

  /** Writes the status (if changed) and publishes the phase change to NATS. */
  private async writeStatus(run: AgentRun, status: AgentRunStatus): Promise<boolean> {
    const written = await this.ctx.status.write(CUSTOM.AgentRun!, run, status);
    if (written && status.phase && status.phase !== run.status?.phase) this.publishPhase(run, status);
    return written;
  }

  private publishPhase(run: AgentRun, status: AgentRunStatus): void {
    const uid = run.metadata.uid ?? '';
    const agentId = run.spec.agentRef?.name ?? 'agent';
    this.ctx.publisher.publish({
      subject: runSubject({
        namespace: subjectToken(run.metadata.namespace ?? ''),
        workflow: subjectToken(run.metadata.name ?? ''),
        uid: subjectToken(uid),
        agentId: subjectToken(agentId),
        kind: 'status',
      }),
      message: {
        message_id: `${uid}:status:${status.phase}`,
        timestamp:
          status.phase === 'Running'
            ? (status.startedAt ?? new Date().toISOString())
            : (status.finishedAt ?? new Date().toISOString()),
        kind: 'status',
        role: 'system',
        content: `AgentRun ${run.metadata.name} is ${status.phase}${status.reason ? ` (${status.reason})` : ''}`,
        agent_run_uid: uid,
        agent_run_name: run.metadata.name,
        agent_run_namespace: run.metadata.namespace,
        agent_id: agentId,
        attrs: { phase: status.phase, reason: status.reason, message: status.message },
      },
    });
  }

  private forgetAdmitted(run: AgentRun): void {
    const uid = run.metadata.uid ?? '';
    const at = this.inFlight.get(uid);
    if (at !== undefined && (!isPending(run) || Date.now() - at > 60_000)) this.inFlight.delete(uid);
  }
}
