import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service.js';

/** /healthz and /readyz. Metrics are served by main.ts at JANGAR_PROMETHEUS_METRICS_PATH. */
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  @HttpCode(HttpStatus.OK)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: 503 with the reasons while any check fails. Followers of the leader election are ready. Degraded
   * (AgentRuns left untouched) is reported with 200: a restart would not make runs reach the controller.
   */
  @Get('readyz')
  readyz(@Res({ passthrough: true }) res: Response): {
    status: 'ok' | 'degraded' | 'not-ready';
    reasons: string[];
    degraded?: string[];
  } {
    const reasons = this.readiness.reasons();
    const degraded = this.readiness.degraded();
    if (reasons.length > 0) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    const status = reasons.length ? 'not-ready' : degraded.length ? 'degraded' : 'ok';
    return degraded.length ? { status, reasons, degraded } : { status, reasons };
  }
}
