import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type Job, UnrecoverableError, type Worker } from 'bullmq';
import { AppConfigService } from '../config/app-config.service';
import { JOB, type JobPayloads, WEBHOOK_QUEUE } from '../jobs/jobs.types';
import { redisConnection } from '../jobs/redis-connection';
import { renderWebhookBody } from './payload-template';
import type { WebhookBody } from './webhook-events';
import { closeWorker, workerCloseGraceMs } from '../redis/closing';
import { observeWebhookDeliveries, observedWorker } from '../observability/jobs/observed-worker';
import { DeliveryError, deliver, EVENT_ID_HEADER, SIGNATURE_HEADER, signBody } from './webhook-sender';
import { WebhooksRepository } from './webhooks.repository';

/** Deliveries in flight per worker process: they mostly wait on subscribers, so more than lifecycle jobs. */
const CONCURRENCY = 16;

export type DeliveryResult =
  | { delivered: true; status: number; attempt: number }
  | { delivered: false; skipped: 'webhook deleted' | 'webhook inactive' | 'trigger unsubscribed' };

/**
 * Delivers org webhook events (worker process). Each attempt re-reads the webhook, so one deleted, deactivated
 * or unsubscribed since the event was queued ends the job without sending. The body is the queued JSON, or the
 * webhook's payloadTemplate rendered over it (see payload-template.ts), signed over those exact bytes. Failures throw: temporary ones (network, timeout,
 * 408/429/5xx) are retried by BullMQ with JOB_OPTIONS' exponential backoff; final ones (other 4xx, 3xx, a
 * forbidden destination) become UnrecoverableError so they are not resent. Delivery is at least once: a receiver
 * that timed out after processing gets the event again, with the same X-Cal-Webhook-Event-Id.
 * Created manually (not @Processor) so concurrency and lock duration come from validated configuration.
 */
@Injectable()
export class WebhookDeliveryWorker implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryWorker.name);
  private worker?: Worker;

  constructor(
    private readonly config: AppConfigService,
    private readonly webhooks: WebhooksRepository,
  ) {}

  onModuleInit(): void {
    // The lock must outlive the longest attempt, or a slow subscriber would get the job twice.
    const lockDuration = Math.max(this.config.lifecycle.lockDurationMs, this.config.webhooks.timeoutMs * 2);
    this.worker = observedWorker(WEBHOOK_QUEUE, (job: Job) => this.process(job), {
      connection: redisConnection(this.config.redisUrl),
      prefix: this.config.queuePrefix,
      concurrency: CONCURRENCY,
      lockDuration,
      // A killed worker's delivery is taken over about one lock duration later (not BullMQ's default 30 s).
      stalledInterval: lockDuration,
    });
    observeWebhookDeliveries(this.worker);
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        `webhook delivery ${job?.id ?? '?'} attempt ${job?.attemptsMade ?? '?'} failed: ${error.message}`,
      ),
    );
  }

  async process(job: Job): Promise<DeliveryResult> {
    if (job.name !== JOB.DELIVER_WEBHOOK)
      throw new UnrecoverableError(`Unexpected job ${job.name} on ${job.queueName}`);
    const data = job.data as JobPayloads['deliver-webhook'];
    const webhook = await this.webhooks.findById(data.webhookId);
    if (!webhook) return { delivered: false, skipped: 'webhook deleted' };
    if (!webhook.active) return { delivered: false, skipped: 'webhook inactive' };
    if (!webhook.triggers.includes(data.triggerEvent))
      return { delivered: false, skipped: 'trigger unsubscribed' };

    // The webhook's current template (re-read every attempt, like its URL and triggers) or the default body.
    const rendered = renderWebhookBody(webhook.payloadTemplate, data.payload as WebhookBody);
    const body = Buffer.from(rendered.body, 'utf8');
    const secret = this.webhooks.openSecret(webhook);
    const headers: Record<string, string> = {
      'Content-Type': rendered.contentType,
      'User-Agent': 'cal-delegation-credentials-webhooks/1',
      [EVENT_ID_HEADER]: data.eventId,
      // No secret, no header: Cal.com would sign with the public string "no-secret-provided", which any sender
      // can reproduce — a signature that proves nothing is worse than none.
      ...(secret !== null ? { [SIGNATURE_HEADER]: signBody(body, secret) } : {}),
    };
    const { allowPrivateUrls, timeoutMs } = this.config.webhooks;
    try {
      const status = await deliver({
        url: webhook.subscriberUrl,
        body,
        headers,
        timeoutMs,
        allowPrivate: allowPrivateUrls,
      });
      return { delivered: true, status, attempt: job.attemptsMade + 1 };
    } catch (error) {
      if (error instanceof DeliveryError && !error.retryable) throw new UnrecoverableError(error.message);
      throw error;
    }
  }

  /** Stops taking deliveries and waits for the ones in flight (also called first on SIGTERM, see src/worker.ts). */
  async close(): Promise<void> {
    if (this.worker) await closeWorker(this.worker, workerCloseGraceMs(this.config));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }
}
