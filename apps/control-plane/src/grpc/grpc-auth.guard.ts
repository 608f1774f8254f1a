import type { Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { CONTROL_PLANE_CONFIG, type ControlPlaneConfig } from '../config/control-plane.config.js';
import { AgentsError } from '../errors.js';

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** With JANGAR_GRPC_TOKEN set, every call must carry `authorization: Bearer <token>` (or `x-agents-token`). */
@Injectable()
export class GrpcAuthGuard implements CanActivate {
  constructor(@Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.grpc.token;
    if (!expected) return true;
    const metadata = context.switchToRpc().getContext<Metadata>();
    const auth = String(metadata?.get?.('authorization')?.[0] ?? '');
    const presented = auth.toLowerCase().startsWith('bearer ')
      ? auth.slice(7).trim()
      : String(metadata?.get?.('x-agents-token')?.[0] ?? '');
    if (!presented)
      throw new AgentsError(
        'UNAUTHENTICATED',
        'missing credentials: send authorization: Bearer <token> (agentctl --token)',
      );
    if (!equal(presented, expected)) throw new AgentsError('UNAUTHENTICATED', 'invalid token');
    return true;
  }
}
