import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { loadControllersConfig } from './config/controllers.config.js';
import type { Request, Response } from 'express';
import { ControllerMetrics } from './runtime/metrics.js';
import { ControllersLifecycle } from './runtime/runtime.module.js';

const LEVELS: Record<string, LogLevel[]> = {
  debug: ['error', 'warn', 'log', 'debug'],
  info: ['error', 'warn', 'log'],
  warn: ['error', 'warn'],
  error: ['error'],
};

async function main(): Promise<void> {
  const config = loadControllersConfig();
  const app = await NestFactory.create(AppModule.register(config), { logger: LEVELS[config.logLevel] });
  app.enableShutdownHooks();
  // Metrics at the path the chart's ServiceMonitor scrapes (JANGAR_PROMETHEUS_METRICS_PATH), or not at all.
  if (config.metrics.enabled) {
    const { registry } = app.get(ControllerMetrics);
    app.getHttpAdapter().get(config.metrics.path, async (_req: Request, res: Response) => {
      try {
        res.type(registry.contentType).send(await registry.metrics());
      } catch (err) {
        res.status(500).send(err instanceof Error ? err.message : String(err));
      }
    });
  }
  await app.listen(config.httpPort);
  const problem = await app.get(ControllersLifecycle).start();
  if (problem) {
    new Logger('Controllers').error(`Refusing to start: ${problem}`);
    await app.close();
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
