import { Module } from '@nestjs/common';
import { MetricsCoreModule } from './metrics-core.module';
import { WorkerMetricsServer } from './worker-metrics.server';

/** The worker's metrics: the shared registry served on METRICS_PORT. */
@Module({ imports: [MetricsCoreModule], providers: [WorkerMetricsServer] })
export class WorkerMetricsModule {}
