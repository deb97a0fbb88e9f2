import {
  ForbiddenException,
  Inject,
  Injectable,
  type NestMiddleware,
  NotFoundException,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NextFunction, Response } from 'express';
import type { Redis } from 'ioredis';
import { ApiAuthGuard } from '../../auth/guards/api-auth.guard';
import type { AppRequest } from '../../common/http/request-context';
import { AppConfigService } from '../../config/app-config.service';
import { REDIS } from '../../redis/redis.module';
import { pingRedis } from '../../redis/redis-ping';

/** How long the dashboard waits for Redis to answer PING before answering 503. */
const REDIS_PROBE_MS = 1000;

/**
 * In front of bull-board (/admin/queues and its assets and API): 404 when QUEUE_DASHBOARD_ENABLED=false; otherwise
 * the API's own authentication (ApiAuthGuard: 401 for missing or invalid credentials) and then only a system
 * admin — a `role=ADMIN` user, as Cal.com's SYSTEM_ADMIN_ROLE — passes (403 otherwise). Errors use the envelope.
 * Then Redis must answer PING within REDIS_PROBE_MS: the dashboard reads everything from Redis, and with Redis down or
 * frozen it answers a 503 envelope at once instead of a page whose every call hangs or fails.
 * A browser cannot send the Bearer header by itself: put the dashboard behind a proxy that adds it, or use a
 * header-setting extension.
 */
@Injectable()
export class QueuesDashboardAuthMiddleware implements NestMiddleware {
  constructor(
    private readonly config: AppConfigService,
    private readonly auth: ApiAuthGuard,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async use(req: AppRequest, res: Response, next: NextFunction): Promise<void> {
    if (!this.config.observability.queueDashboardEnabled) {
      throw new NotFoundException(`Cannot ${req.method} ${req.originalUrl.split('?')[0]}`);
    }
    await this.auth.canActivate(new ExecutionContextHost([req, res, next]));
    if (!req.user?.isSystemAdmin) {
      throw new ForbiddenException('The queue dashboard is for system admins (role ADMIN) only');
    }
    if ((await pingRedis(this.redis, REDIS_PROBE_MS)) !== 'up') {
      throw new ServiceUnavailableException(
        'Redis is unreachable: the queue dashboard cannot read the queues. Changes are still accepted and their jobs ' +
          'wait as pending job intents in PostgreSQL (GET /health/ready, dc_job_intents_pending).',
      );
    }
    next();
  }
}
