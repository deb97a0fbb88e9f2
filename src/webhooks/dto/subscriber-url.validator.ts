import {
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  type ValidationArguments,
} from 'class-validator';
import { TEMPLATE_VARIABLES, unknownTemplateVariables } from '../payload-template';
import { subscriberUrlSyntaxProblem } from '../subscriber-url';

/**
 * Syntax of a subscriber URL (http/https, absolute, no credentials). Whether its host is allowed needs DNS and
 * configuration, so WebhooksService checks that after validation. Stateless: the message is recomputed.
 */
@ValidatorConstraint({ name: 'isSubscriberUrl', async: false })
export class SubscriberUrlConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return subscriberUrlSyntaxProblem(value) === null;
  }

  defaultMessage(args: ValidationArguments): string {
    return subscriberUrlSyntaxProblem(args.value) ?? '';
  }
}

/** Every `{{variable}}` of a payload template must be one this service's events provide. */
@ValidatorConstraint({ name: 'isPayloadTemplate', async: false })
export class PayloadTemplateConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value !== 'string' || unknownTemplateVariables(value).length === 0;
  }

  defaultMessage(args: ValidationArguments): string {
    const unknown = typeof args.value === 'string' ? unknownTemplateVariables(args.value) : [];
    return (
      `payloadTemplate uses unknown variables: ${unknown.map((name) => `{{${name}}}`).join(', ')}; ` +
      `available: ${TEMPLATE_VARIABLES.join(', ')}`
    );
  }
}

export const PAYLOAD_TEMPLATE_DESCRIPTION =
  'The template of the payload sent to the subscriberUrl instead of the default `{triggerEvent, createdAt, ' +
  'payload}` body, as Cal.com renders it (cal.com/docs/core-features/webhooks): each `{{variable}}` is replaced ' +
  'by that field of the event, JSON-escaped (write `"{{user.email}}"` for a string); a result that is JSON is sent ' +
  'as application/json, anything else as application/x-www-form-urlencoded, signed over the exact bytes sent. ' +
  `Variables: ${TEMPLATE_VARIABLES.join(', ')}; any other is a 400.`;

export const SECRET_DESCRIPTION =
  'Signing secret: each delivery carries `X-Cal-Signature-256`, the hex HMAC-SHA256 of the raw body with this ' +
  'secret. Write-only — stored encrypted and never returned (responses show `hasSecret`). Without a secret, ' +
  'deliveries are not signed.';

export const SUBSCRIBER_URL_DESCRIPTION =
  'http(s) URL that receives the POSTs. Hosts that are or resolve to private, loopback, link-local, CGNAT, ' +
  'multicast or reserved addresses are refused; redirects are not followed.';
