import { Controller, Get, Header, HttpCode, HttpStatus, Optional, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ControllerMetrics } from '../runtime/metrics.js';
import { ReadinessService } from './readiness.service.js';

@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessService,
    @Optional() private readonly metrics?: ControllerMetrics,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('healthz')
  @HttpCode(HttpStatus.OK)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: 503 with the reasons while any check fails. Followers of the leader election are ready. */
  @Get('readyz')
  readyz(@Res({ passthrough: true }) res: Response): { status: 'ok' | 'not-ready'; reasons: string[] } {
    const reasons = this.readiness.reasons();
    if (reasons.length > 0) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: reasons.length ? 'not-ready' : 'ok', reasons };
  }

  /** Prometheus metrics. */
  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return (await this.metrics?.registry.metrics()) ?? '';
  }
}
