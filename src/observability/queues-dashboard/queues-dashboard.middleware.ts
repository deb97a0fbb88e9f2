import { ForbiddenException, Injectable, type NestMiddleware, NotFoundException } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import type { NextFunction, Response } from 'express';
import { ApiAuthGuard } from '../../auth/guards/api-auth.guard';
import type { AppRequest } from '../../common/http/request-context';
import { AppConfigService } from '../../config/app-config.service';

/**
 * In front of bull-board (/admin/queues and its assets and API): 404 when QUEUE_DASHBOARD_ENABLED=false; otherwise
 * the API's own authentication (ApiAuthGuard: 401 for missing or invalid credentials) and then only a system
 * admin — a `role=ADMIN` user, as Cal.com's SYSTEM_ADMIN_ROLE — passes (403 otherwise). Errors use the envelope.
 * A browser cannot send the Bearer header by itself: put the dashboard behind a proxy that adds it, or use a
 * header-setting extension.
 */
@Injectable()
export class QueuesDashboardAuthMiddleware implements NestMiddleware {
  constructor(
    private readonly config: AppConfigService,
    private readonly auth: ApiAuthGuard,
  ) {}

  async use(req: AppRequest, res: Response, next: NextFunction): Promise<void> {
    if (!this.config.observability.queueDashboardEnabled) {
      throw new NotFoundException(`Cannot ${req.method} ${req.originalUrl.split('?')[0]}`);
    }
    await this.auth.canActivate(new ExecutionContextHost([req, res, next]));
    if (!req.user?.isSystemAdmin) {
      throw new ForbiddenException('The queue dashboard is for system admins (role ADMIN) only');
    }
    next();
  }
}
