import 'reflect-metadata';
import { PROTO_PACKAGE, protoPath } from '@agents/proto/nest';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { AppModule } from './app.module.js';
import { loadControlPlaneConfig } from './config/control-plane.config.js';
import { ControlPlaneLifecycle } from './control-plane.lifecycle.js';
import type { Request, Response } from 'express';
import { ControlPlaneMetrics } from './health/metrics.js';
import { StatusService } from './health/status.service.js';

const LEVELS: Record<string, LogLevel[]> = {
  debug: ['error', 'warn', 'log', 'debug'],
  info: ['error', 'warn', 'log'],
  warn: ['error', 'warn'],
  error: ['error'],
};

async function main(): Promise<void> {
  const config = loadControlPlaneConfig();
  const app = await NestFactory.create(AppModule.register(config), { logger: LEVELS[config.logLevel] });
  app.enableShutdownHooks();
  // Browsers on these origins may read the SSE streams (the chart's cors.allowedOrigins).
  if (config.corsOrigins.length)
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? '*' : [...config.corsOrigins],
      methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
      allowedHeaders: ['Authorization', 'Content-Type', 'Last-Event-ID', 'X-Agents-Token'],
    });
  // Metrics at the path the chart's ServiceMonitor scrapes (JANGAR_PROMETHEUS_METRICS_PATH), or not at all.
  if (config.metrics.enabled) {
    const registry = app.get(ControlPlaneMetrics).registry;
    app.getHttpAdapter().get(config.metrics.path, async (_req: Request, res: Response) => {
      try {
        res.type(registry.contentType).send(await registry.metrics());
      } catch (err) {
        res.status(500).send(err instanceof Error ? err.message : String(err));
      }
    });
  }
  if (config.grpc.enabled) {
    app.connectMicroservice<MicroserviceOptions>({
      transport: Transport.GRPC,
      options: {
        package: PROTO_PACKAGE,
        protoPath: protoPath(),
        url: `${config.grpc.host}:${config.grpc.port}`,
        loader: { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true },
        maxReceiveMessageLength: 16 * 1024 * 1024,
        gracefulShutdown: true,
      },
    });
  }
  await app.listen(config.httpPort);
  const problem = await app.get(ControlPlaneLifecycle).start();
  if (problem) {
    new Logger('ControlPlane').error(`Refusing to start: ${problem}`);
    await app.close();
    process.exit(1);
  }
  if (config.grpc.enabled) {
    await app.startAllMicroservices();
    // HTTP (and so /ready) is up before gRPC: ready must wait for gRPC too, or clients meet a refused connection.
    app.get(StatusService).grpcListening = true;
  }
  new Logger('ControlPlane').log(
    `HTTP on :${config.httpPort}${config.grpc.enabled ? `, gRPC on ${config.grpc.host}:${config.grpc.port}` : ''}`,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
