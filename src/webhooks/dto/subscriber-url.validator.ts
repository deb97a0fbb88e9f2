import {
  ValidatorConstraint,
  type ValidatorConstraintInterface,
  type ValidationArguments,
} from 'class-validator';
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

export const PAYLOAD_TEMPLATE_DESCRIPTION =
  'The template of the payload that will be sent to the subscriberUrl, check cal.com/docs/core-features/webhooks ' +
  'for more information. Stored and returned; deliveries of this service currently send the standard body.';

export const SECRET_DESCRIPTION =
  'Signing secret: each delivery carries `X-Cal-Signature-256`, the hex HMAC-SHA256 of the raw body with this ' +
  'secret. Write-only — stored encrypted and never returned (responses show `hasSecret`). Without a secret, ' +
  'deliveries are not signed.';

export const SUBSCRIBER_URL_DESCRIPTION =
  'http(s) URL that receives the POSTs. Hosts that are or resolve to private, loopback, link-local, CGNAT, ' +
  'multicast or reserved addresses are refused; redirects are not followed.';
