/**
 * Trigger names an org webhook may subscribe to: Cal.com's `WebhookTriggerEvents` as published in the API v2
 * reference, so a webhook definition copied from Cal.com validates here unchanged. Only
 * DELEGATION_CREDENTIAL_ERROR is emitted by this service; the others are accepted and stored so the same
 * subscriptions keep working against Cal.com (bookings, forms and meetings live there, not here).
 */
export const WEBHOOK_TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_RESCHEDULED',
  'BOOKING_REQUESTED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
  'FORM_SUBMITTED',
  'MEETING_ENDED',
  'MEETING_STARTED',
  'RECORDING_READY',
  'INSTANT_MEETING',
  'INSTANT_MEETING_ACCEPTED',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
  'FORM_SUBMITTED_NO_EVENT',
  'ROUTING_FORM_FALLBACK_HIT',
  'DELEGATION_CREDENTIAL_ERROR',
  'WRONG_ASSIGNMENT_REPORT',
] as const;

export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

/**
 * Delegated calendar access failed with a permanent provider error: one member's (`payload.scope: 'member'`), or
 * the whole delegation credential's, reported once for all its members (`payload.scope: 'credential'`). See
 * DelegationErrorEvents.
 */
export const DELEGATION_CREDENTIAL_ERROR = 'DELEGATION_CREDENTIAL_ERROR' satisfies WebhookTrigger;
