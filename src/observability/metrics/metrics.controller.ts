import {
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  NotFoundException,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Request, Response } from 'express';
import { AppConfigService } from '../../config/app-config.service';
import { METRICS_UNAUTHORIZED, metricsAccess } from './metrics-access';

/** 404 when metrics are off, 401 without the configured bearer token. */
@Injectable()
export class MetricsAccessGuard implements CanActivate {
  constructor(private readonly config: AppConfigService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const access = metricsAccess(this.config.observability, request.headers.authorization);
    if (access === 'disabled') throw new NotFoundException(`Cannot GET ${request.path}`);
    if (access === 'unauthorized') throw new UnauthorizedException(METRICS_UNAUTHORIZED);
    return true;
  }
}

/** GET /metrics: Prometheus text format (@willsoto/nestjs-prometheus), not rate limited, not in the OpenAPI document. */
@ApiExcludeController()
@SkipThrottle()
@UseGuards(MetricsAccessGuard)
@Controller()
export class MetricsController extends PrometheusController {
  @Get()
  override async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    return super.index(response);
  }
}
