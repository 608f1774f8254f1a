import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { StatusService } from './status.service.js';

/** /health and /ready. Metrics are served by main.ts at JANGAR_PROMETHEUS_METRICS_PATH. */
@Controller()
export class HealthController {
  constructor(private readonly status: StatusService) {}

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
}
