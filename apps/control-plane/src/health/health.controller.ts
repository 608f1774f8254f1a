import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ControlPlaneMetrics } from './metrics.js';
import { StatusService } from './status.service.js';

@Controller()
export class HealthController {
  constructor(
    private readonly status: StatusService,
    private readonly metrics: ControlPlaneMetrics,
  ) {}

  /** Liveness: the process serves HTTP. */
  @Get('health')
  health(): { status: 'ok'; service: string } {
    return { status: 'ok', service: 'agents-control-plane' };
  }

  /** Readiness: 503 with the reasons while CRDs are missing, Postgres is unreachable or caches are syncing. */
  @Get('ready')
  async ready(
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ status: 'ok' | 'degraded' | 'not-ready'; reasons: string[]; degraded: string[] }> {
    const reasons = await this.status.notReady();
    const degraded = this.status.degraded();
    if (reasons.length) res.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status: reasons.length ? 'not-ready' : degraded.length ? 'degraded' : 'ok', reasons, degraded };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
