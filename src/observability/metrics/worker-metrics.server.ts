import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { register } from 'prom-client';
import { AppConfigService } from '../../config/app-config.service';
import { METRICS_UNAUTHORIZED, metricsAccess } from './metrics-access';

/**
 * The worker's /metrics (it has no HTTP application): prom-client's default registry on METRICS_PORT, with the
 * API's access rules (METRICS_ENABLED, METRICS_TOKEN). Job, provider, token and webhook series come from here.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private server?: Server;

  constructor(private readonly config: AppConfigService) {}

  /** The port it listens on (METRICS_PORT, or the one picked for 0); undefined when not serving. */
  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { metricsEnabled, metricsPort } = this.config.observability;
    if (!metricsEnabled || metricsPort === undefined) return;
    this.server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') return void res.writeHead(404).end();
      if (metricsAccess(this.config.observability, req.headers.authorization) !== 'allowed') {
        return void res.writeHead(401, { 'Content-Type': 'text/plain' }).end(METRICS_UNAUTHORIZED);
      }
      register.metrics().then(
        (text) => res.writeHead(200, { 'Content-Type': register.contentType }).end(text),
        (error: Error) => {
          this.logger.error(`metrics: ${error.message}`);
          res.writeHead(500).end();
        },
      );
    });
    this.server.listen(metricsPort);
    await once(this.server, 'listening');
    this.logger.log(`metrics on :${this.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
