import type { AgentRun } from '@agents/api';
import { BadRequestException, Controller, Get, Inject, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../config/control-plane.config.js';
import { SseConnection, sseMessage } from '../events/sse.js';
import { RunHistoryRecorder } from './run-history.recorder.js';

function resourceEvent(action: 'ADDED' | 'MODIFIED' | 'DELETED', run: AgentRun): string {
  const data = {
    type: 'resource',
    kind: 'AgentRun',
    namespace: run.metadata.namespace,
    name: run.metadata.name,
    action,
    phase: run.status?.phase ?? null,
    reason: run.status?.reason ?? null,
    resource: run,
  };
  return sseMessage(run.metadata.resourceVersion, 'resource', JSON.stringify(data));
}

/**
 * GET /v1/control-plane/stream?namespace=: AgentRun changes of a namespace as Server-Sent Events (the current runs
 * first, then every add, status change and deletion), from the shared watch the control plane keeps.
 */
@Controller('v1/control-plane/stream')
export class ResourceStreamSseController {
  constructor(
    private readonly recorder: RunHistoryRecorder,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  @Get()
  stream(@Query('namespace') namespace: string | undefined, @Res() res: Response): void {
    if (!namespace) throw new BadRequestException('namespace is required');
    if (!this.recorder.runs.covers(namespace))
      throw new BadRequestException(`namespace ${namespace} is not watched by this control plane`);
    const conn = new SseConnection(res, this.config.sse);
    const mine = (r: AgentRun) => r.metadata.namespace === namespace;
    const remove = this.recorder.runs.addHandler({
      onAdd: (r) => mine(r) && conn.write(resourceEvent('ADDED', r)),
      onUpdate: (_p, r) => mine(r) && conn.write(resourceEvent('MODIFIED', r)),
      onDelete: (r) => mine(r) && conn.write(resourceEvent('DELETED', r)),
    });
    conn.onClosed(remove);
  }
}
