import type { WebhookBody } from './webhook-events';

/**
 * Webhook `payloadTemplate`, rendered as Cal.com renders it (packages/features/webhooks/lib/sendPayload.ts,
 * `applyTemplate`): every `{{variable}}` is replaced by that field of the event, then a result that parses as JSON
 * is sent as `application/json` (re-serialized compactly, as Cal.com does), anything else as
 * `application/x-www-form-urlencoded`, verbatim. Without a template the default `{triggerEvent, createdAt, payload}`
 * body is sent.
 *
 * Differences from Cal.com, on purpose:
 * - unknown variables are refused when the webhook is saved (400) instead of rendering as nothing;
 * - values are JSON-escaped (a quote or newline in an error message cannot break the JSON around it): a string is
 *   inserted as the inside of a JSON string literal, so write `"{{user.email}}"`; numbers and booleans as their
 *   JSON text; objects (`{{error}}`, `{{user}}` …) as JSON; a missing value as `null`.
 */

/** `{{ name }}` with optional inner spaces; names are dotted paths of letters, digits and `_`. */
const VARIABLE = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * The variables of the events this service emits (only DELEGATION_CREDENTIAL_ERROR): the top-level `triggerEvent`
 * and `createdAt`, and every field of its payload (see DelegationErrorEvents), objects included. A member-scope
 * event has `user` and `credential.id`; a credential-wide one has them null and carries `delegationCredential` and
 * `affectedMembers` instead (null in a member-scope event).
 */
export const TEMPLATE_VARIABLES = [
  'triggerEvent',
  'createdAt',
  'scope',
  'error',
  'error.type',
  'error.message',
  'credential',
  'credential.id',
  'credential.type',
  'credential.appId',
  'credential.delegationCredentialId',
  'user',
  'user.id',
  'user.email',
  'user.organizationId',
  'delegationCredential',
  'delegationCredential.id',
  'delegationCredential.domain',
  'delegationCredential.workspacePlatformSlug',
  'delegationCredential.status',
  'delegationCredential.failingSince',
  'affectedMembers',
] as const;

const KNOWN = new Set<string>(TEMPLATE_VARIABLES);

/** The variable names a template uses, in order of first use. */
export function templateVariables(template: string): string[] {
  return [...new Set([...template.matchAll(VARIABLE)].map((match) => match[1]))];
}

/** Variables of `template` that no event of this service provides (empty when the template is valid). */
export function unknownTemplateVariables(template: string): string[] {
  return templateVariables(template).filter((name) => !KNOWN.has(name));
}

export interface RenderedBody {
  body: string;
  contentType: 'application/json' | 'application/x-www-form-urlencoded';
}

function lookup(context: Record<string, unknown>, path: string): unknown {
  let value: unknown = context;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function format(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).slice(1, -1);
  return JSON.stringify(value);
}

/** The bytes to send for `event`: the rendered template, or the default body when there is no template. */
export function renderWebhookBody(template: string | null, event: WebhookBody): RenderedBody {
  if (template === null || template === '') {
    return { body: JSON.stringify(event), contentType: 'application/json' };
  }
  const context: Record<string, unknown> = {
    ...event.payload,
    triggerEvent: event.triggerEvent,
    createdAt: event.createdAt,
  };
  const rendered = template.replace(VARIABLE, (_, name: string) => format(lookup(context, name)));
  try {
    return { body: JSON.stringify(JSON.parse(rendered)), contentType: 'application/json' };
  } catch {
    return { body: rendered, contentType: 'application/x-www-form-urlencoded' };
  }
}
