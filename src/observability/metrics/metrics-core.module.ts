import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { MetricsAccessGuard, MetricsController } from './metrics.controller';

/**
 * prom-client through @willsoto/nestjs-prometheus, registered once per process (the API and the worker import
 * this module; registering twice would collect Node's default metrics twice): the default registry with process
 * and Node.js metrics, and the guarded /metrics controller (served by the API; the worker has no HTTP adapter and
 * serves the same registry from WorkerMetricsServer).
 */
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  providers: [MetricsAccessGuard],
})
export class MetricsCoreModule {}
