import { Controller, Get } from '@nestjs/common';

@Controller()
export class HealthController {
  /** Liveness: the process serves HTTP. */
  @Get('health')
  health(): { status: 'ok'; service: string } {
    return { status: 'ok', service: 'agents-control-plane' };
  }
}
