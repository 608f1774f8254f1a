import { status } from '@grpc/grpc-js';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { tap, type Observable } from 'rxjs';
import { ControlPlaneMetrics } from '../health/metrics.js';
import { AgentsError } from '../errors.js';
import { grpcCode } from './grpc-errors.js';

/** Counts calls by method and status code. */
@Injectable()
export class GrpcMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: ControlPlaneMetrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const method = context.getHandler().name;
    const count = (code: number) => this.metrics.grpcRequests.inc({ method, code: status[code] ?? String(code) });
    return next.handle().pipe(
      tap({
        complete: () => count(status.OK),
        error: (err: unknown) => count(err instanceof AgentsError ? grpcCode(err.code) : status.INTERNAL),
      }),
    );
  }
}
