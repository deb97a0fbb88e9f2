import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module } from '@nestjs/common';
import { OBSERVED_QUEUES } from '../metrics/scraped-metrics.service';
import { QueuesDashboardAuthMiddleware } from './queues-dashboard.middleware';

export const QUEUES_DASHBOARD_ROUTE = '/admin/queues';

/** bull-board over every queue of the job registry, at /admin/queues, for system admins only. */
@Module({
  imports: [
    BullBoardModule.forRoot({
      route: QUEUES_DASHBOARD_ROUTE,
      adapter: ExpressAdapter,
      middleware: QueuesDashboardAuthMiddleware,
      boardOptions: { uiConfig: { boardTitle: 'Delegation jobs' } },
    }),
    BullBoardModule.forFeature(...OBSERVED_QUEUES.map((name) => ({ name, adapter: BullMQAdapter }))),
  ],
})
export class QueuesDashboardModule {}
