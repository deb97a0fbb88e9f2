import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { Pool } from 'pg';
import { AppConfigService } from '../config/app-config.service';
import { PrismaClient } from '../generated/prisma/client';
import type { PreparedQuery } from './prepared-query';

/** Distinct SQL texts given a prepared-statement name per process; beyond it, statements run unnamed. */
const MAX_NAMED_STATEMENTS = 2000;

/**
 * Names Prisma's statements by their SQL text, so pg prepares each once per connection and later only binds and
 * executes it (PostgreSQL skips parsing and, for repeated shapes, planning). Prisma's SQL has a fixed shape per
 * query in the code, so the set is small; it is bounded anyway.
 */
function statementNamer(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  // The adapter hands the name to pg's query config, where `undefined` means an unnamed statement (its type says
  // string only).
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_NAMED_STATEMENTS) {
      name = `prisma_${names.size}`;
      names.set(sql, name);
    }
    return name as string;
  };
}

/**
 * The one Prisma client of a process (driver adapter: no native query engine), over a pg pool of
 * DATABASE_POOL_SIZE connections that the prepared hot queries (`run`) share. Every statement is a named prepared
 * statement (behind PgBouncer, transaction pooling needs PgBouncer ≥ 1.21 with `max_prepared_statements` set).
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
    super({
      adapter: new PrismaPg(pool, { disposeExternalPool: true, statementNameGenerator: statementNamer() }),
    });
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
