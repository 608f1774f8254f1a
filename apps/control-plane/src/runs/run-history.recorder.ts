import type { AgentRun } from '@agents/api';
import { CUSTOM, ScopedCache, type KubeApi, type NamespaceScope } from '@agents/kube';
import { Logger } from '@nestjs/common';
import type { RunHistoryRepository } from './run-history.repository.js';

/**
 * Keeps agent_run_history in step with the AgentRuns of the watched namespaces (every replica writes the same rows;
 * upserts are idempotent), so a run's record outlives the CR when retention deletes it. The cache also feeds the
 * resource stream.
 */
export class RunHistoryRecorder {
  private readonly logger = new Logger(RunHistoryRecorder.name);
  readonly runs: ScopedCache<AgentRun>;

  constructor(
    api: KubeApi,
    scope: NamespaceScope,
    private readonly history: RunHistoryRepository,
  ) {
    this.runs = new ScopedCache<AgentRun>(api, CUSTOM.AgentRun!, scope, { logger: this.logger });
    const save = (run: AgentRun) =>
      void this.history
        .upsert(run)
        .catch((err: unknown) =>
          this.logger.warn(`Recording ${run.metadata.namespace}/${run.metadata.name} failed: ${String(err)}`),
        );
    this.runs.addHandler({
      onAdd: save,
      onUpdate: (prev, run) => {
        if (prev.status?.phase !== run.status?.phase || prev.metadata.generation !== run.metadata.generation) save(run);
      },
      onDelete: (run) => void this.history.markDeleted(run.metadata.uid!).catch(() => undefined),
    });
  }

  start(): Promise<void> {
    this.runs.start();
    return this.runs.waitForSync();
  }

  stop(): Promise<void> {
    return this.runs.stop();
  }
}
