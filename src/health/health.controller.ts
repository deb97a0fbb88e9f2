import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import {
  HealthCheck,
  HealthCheckService,
  type HealthCheckResult,
  HealthIndicatorService,
  PrismaHealthIndicator,
} from '@nestjs/terminus';
import type { Redis } from 'ioredis';
import { IntentDispatcher } from '../jobs/intent-dispatcher.service';
import { PrismaService } from '../prisma/prisma.service';
import { REDIS } from '../redis/redis.module';
import { pingRedis } from '../redis/redis-ping';

/** Longest wait for either dependency: readiness answers within about this long, whatever is down. */
const CHECK_TIMEOUT_MS = 2000;

@ApiTags('Health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly prismaIndicator: PrismaHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly prisma: PrismaService,
    private readonly dispatcher: IntentDispatcher,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /**
   * Ready = PostgreSQL answers: every change, and the jobs it needs, is committed there. Redis is reported (`jobs`)
   * but does not make the API unready: while it is unreachable, changes are still accepted and their jobs wait as
   * pending intents until it returns (README "Durability") — taking every replica out of the load balancer would
   * turn a queue outage into a full outage.
   */
  @Get('ready')
  @ApiOperation({
    summary:
      'Readiness: PostgreSQL answers (503 otherwise). Redis and pending job intents are reported under `jobs`, without failing readiness',
  })
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.prismaIndicator.pingCheck('database', this.prisma, { timeout: CHECK_TIMEOUT_MS }),
      async () => {
        const indicator = this.indicators.check('jobs');
        const [redis, intents] = await Promise.all([
          pingRedis(this.redis, CHECK_TIMEOUT_MS),
          this.dispatcher.pending().catch(() => null),
        ]);
        return indicator.up({
          redis,
          ...(intents
            ? { pendingIntents: intents.pending, oldestPendingSeconds: intents.oldestSeconds }
            : {}),
        });
      },
    ]);
  }
}
