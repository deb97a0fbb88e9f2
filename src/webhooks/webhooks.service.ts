import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import type { CreateWebhookInput } from './dto/create-webhook.input';
import type { UpdateWebhookInput } from './dto/update-webhook.input';
import { checkDestination } from './subscriber-url';
import { type WebhookChanges, type WebhookRecord, WebhooksRepository } from './webhooks.repository';

const notFound = (id: string) => new NotFoundException(`Webhook (${id}) not found`);

/** Org webhook rules: organization scoping, subscriber URL (SSRF) checks, trigger de-duplication. */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly webhooks: WebhooksRepository,
    private readonly config: AppConfigService,
  ) {}

  async create(orgId: number, input: CreateWebhookInput): Promise<WebhookRecord> {
    await this.assertAllowedDestination(input.subscriberUrl);
    return this.webhooks.create(
      orgId,
      {
        subscriberUrl: input.subscriberUrl,
        active: input.active,
        triggers: [...new Set(input.triggers)],
        payloadTemplate: input.payloadTemplate ?? null,
      },
      input.secret ?? null,
    );
  }

  list(orgId: number, take: number, skip: number): Promise<WebhookRecord[]> {
    return this.webhooks.listInOrg(orgId, take, skip);
  }

  async get(orgId: number, id: string): Promise<WebhookRecord> {
    const record = await this.webhooks.findInOrg(orgId, id);
    if (!record) throw notFound(id);
    return record;
  }

  async update(orgId: number, id: string, input: UpdateWebhookInput): Promise<WebhookRecord> {
    const record = await this.get(orgId, id);
    // Like Cal.com, only a changed URL is checked again; every delivery re-checks the destination anyway.
    if (input.subscriberUrl !== undefined && input.subscriberUrl !== record.subscriberUrl)
      await this.assertAllowedDestination(input.subscriberUrl);
    const changes: WebhookChanges = {
      ...(input.subscriberUrl !== undefined ? { subscriberUrl: input.subscriberUrl } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      ...(input.triggers !== undefined ? { triggers: [...new Set(input.triggers)] } : {}),
      ...(input.payloadTemplate !== undefined ? { payloadTemplate: input.payloadTemplate } : {}),
      ...(input.secret !== undefined ? { secret: input.secret } : {}),
    };
    if (!Object.keys(changes).length) return record;
    const updated = await this.webhooks.update(record, changes);
    if (!updated) throw notFound(id);
    return updated;
  }

  /** Deliveries already queued for it end without sending (the worker re-reads the webhook). */
  async remove(orgId: number, id: string): Promise<WebhookRecord> {
    const record = await this.get(orgId, id);
    if (!(await this.webhooks.delete(record))) throw notFound(id);
    return record;
  }

  private async assertAllowedDestination(subscriberUrl: string): Promise<void> {
    if (this.config.webhooks.allowPrivateUrls) return;
    const check = await checkDestination(new URL(subscriberUrl));
    if (!check.ok) throw new BadRequestException(`subscriberUrl is not allowed: its host ${check.reason}`);
  }
}
