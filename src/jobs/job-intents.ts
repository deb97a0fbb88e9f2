import { Logger } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { type JobName, type JobPayloads, jobIdFor, queueFor } from './jobs.types';

const logger = new Logger('JobIntents');

/** The Prisma client of the transaction that makes the state change (or the client itself for a lone intent). */
export type IntentWriter = Prisma.TransactionClient;

export interface IntentOptions {
  /** Run no earlier than this many milliseconds from now (e.g. a member's backoff re-check). */
  delayMs?: number;
}

/** The row of one intent: the typed registry decides the job id and the queue, as for a direct dispatch. */
export function intentRow<N extends JobName>(
  name: N,
  payload: JobPayloads[N],
  options: IntentOptions = {},
): Prisma.JobIntentCreateManyInput {
  const now = Date.now();
  const jobId = (jobIdFor[name] as (p: JobPayloads[N]) => string)(payload);
  return {
    name,
    jobId,
    queue: queueFor(name, payload),
    payload: payload as unknown as Prisma.InputJsonObject,
    runAt: new Date(now + Math.max(0, Math.ceil(options.delayMs ?? 0))),
    createdAt: new Date(now),
    nextAttemptAt: new Date(now),
  };
}

/**
 * Records that a job must run, inside the transaction of the state change that needs it (transactional outbox):
 * either both commit or neither does, and the job reaches BullMQ even if Redis is down now or this process dies
 * right after the commit (see IntentDispatcher). Never touches Redis. Returns the job's deterministic id.
 */
export async function recordIntent<N extends JobName>(
  tx: IntentWriter,
  name: N,
  payload: JobPayloads[N],
  options: IntentOptions = {},
): Promise<string> {
  const row = intentRow(name, payload, options);
  await tx.jobIntent.createMany({ data: [row] });
  logger.log(`recorded ${name} (${row.jobId})`);
  return row.jobId;
}

/** Many intents of one job name in one statement (same transaction rule as recordIntent). */
export async function recordIntents<N extends JobName>(
  tx: IntentWriter,
  name: N,
  payloads: JobPayloads[N][],
): Promise<void> {
  if (!payloads.length) return;
  await tx.jobIntent.createMany({ data: payloads.map((payload) => intentRow(name, payload)) });
  logger.log(`recorded ${payloads.length} ${name}`);
}
