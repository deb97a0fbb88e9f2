import { randomUUID } from 'node:crypto';
import type { JobsService } from '../jobs/jobs.service';
import { JOB } from '../jobs/jobs.types';
import type { PrismaService } from '../prisma/prisma.service';
import type { WebhookTrigger } from './webhook-triggers';

export interface WebhookEvent {
  organizationId: number;
  triggerEvent: WebhookTrigger;
  /** The event-specific part: goes out as `payload` of Cal.com's `{triggerEvent, createdAt, payload}` body. */
  payload: Record<string, unknown>;
}

/** The JSON body every subscriber receives, in Cal.com's shape. */
export interface WebhookBody extends Record<string, unknown> {
  triggerEvent: WebhookTrigger;
  createdAt: string;
  payload: Record<string, unknown>;
}

/**
 * Fans one event out to the organization's active webhooks subscribed to its trigger: one delivery job per
 * webhook, all sharing one event id (so the job ids are deterministic and a re-queue of the same event is a
 * no-op). The body is built once here, so every subscriber and every retry gets identical bytes; the signing
 * secret is not in the job — the worker reads it from the database.
 *
 * A plain function over PrismaService and JobsService (both global) so that event sources living in modules this
 * feature does not own — DelegationErrorEvents in the lifecycle core — can publish in the API and the worker
 * without new provider wiring. Returns the number of deliveries queued.
 */
export async function queueWebhookEvent(
  prisma: PrismaService,
  jobs: JobsService,
  event: WebhookEvent,
): Promise<number> {
  const subscribers = await prisma.webhook.findMany({
    where: { organizationId: event.organizationId, active: true, triggers: { has: event.triggerEvent } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  if (!subscribers.length) return 0;
  const eventId = randomUUID();
  const body: WebhookBody = {
    triggerEvent: event.triggerEvent,
    createdAt: new Date().toISOString(),
    payload: event.payload,
  };
  await jobs.dispatchBulk(
    JOB.DELIVER_WEBHOOK,
    subscribers.map((webhook) => ({
      webhookId: webhook.id,
      eventId,
      triggerEvent: event.triggerEvent,
      payload: body,
    })),
  );
  return subscribers.length;
}
