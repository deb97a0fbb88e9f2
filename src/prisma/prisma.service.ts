import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { AppConfigService } from '../config/app-config.service';
import { PrismaClient } from '../generated/prisma/client';
import type { PreparedQuery } from './prepared-query';

/**
 * The one Prisma client of a process (driver adapter: no native query engine), over a pg pool of
 * DATABASE_POOL_SIZE connections that the prepared hot queries (`run`) share.
 */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(config: AppConfigService) {
    // A request waits at most 5 s for a connection (an unreachable database answers 503, never hangs).
    const pool = new Pool({
      connectionString: config.databaseUrl,
      max: config.databasePoolSize,
      connectionTimeoutMillis: 5000,
    });
    super({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
    this.pool = pool;
  }

  /** Runs a prepared statement (one round trip; parsed and planned once per connection). */
  async run<Row, Params extends readonly unknown[]>(
    query: PreparedQuery<Row, Params>,
    params: Params,
  ): Promise<Row[]> {
    const result = await this.pool.query<Row & object>({
      name: query.name,
      text: query.text,
      values: params as unknown as unknown[],
    });
    return result.rows;
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
    // Prisma disposes the pool only if it connected; prepared queries may have used it without Prisma.
    if (!this.pool.ending) await this.pool.end();
  }
}
