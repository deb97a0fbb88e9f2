import { randomUUID } from 'node:crypto';
import { type IntentWriter, recordIntents } from '../jobs/job-intents';
import { JOB } from '../jobs/jobs.types';
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
 * no-op; the id goes out as X-Cal-Webhook-Event-Id on every attempt). The body is built once here, so every
 * subscriber and every retry gets identical bytes; the signing secret is not in the job — the worker reads it from
 * the database.
 *
 * Runs inside the transaction of the state change the event reports (`tx`), as job intents: the event is sent if
 * and only if that change commits, whether or not Redis is up at that moment. A plain function over the transaction
 * so that event sources living in modules this feature does not own — DelegationErrorEvents in the lifecycle core —
 * can publish without new provider wiring. Returns the number of deliveries recorded.
 */
export async function queueWebhookEvent(tx: IntentWriter, event: WebhookEvent): Promise<number> {
  const subscribers = await tx.webhook.findMany({
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
  await recordIntents(
    tx,
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
