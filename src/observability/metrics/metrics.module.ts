import { type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { DelegationMetricsRepository } from './delegation-metrics.repository';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsCoreModule } from './metrics-core.module';
import { ScrapedMetricsService } from './scraped-metrics.service';

/** The API's metrics: GET /metrics, HTTP request durations, and the gauges read at scrape. */
@Module({
  imports: [MetricsCoreModule],
  providers: [DelegationMetricsRepository, ScrapedMetricsService],
})
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
