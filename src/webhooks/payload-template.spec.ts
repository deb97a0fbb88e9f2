import { renderWebhookBody, templateVariables, unknownTemplateVariables } from './payload-template';
import type { WebhookBody } from './webhook-events';

const event: WebhookBody = {
  triggerEvent: 'DELEGATION_CREDENTIAL_ERROR',
  createdAt: '2026-06-12T10:00:00.000Z',
  payload: {
    error: { type: 'KEY_REVOKED', message: 'Key "k1" was deleted\nin Google Cloud' },
    credential: { id: 7, type: 'google_calendar', appId: 'google-calendar', delegationCredentialId: 'dc-1' },
    user: { id: 3, email: 'jane@acme.test', organizationId: 9 },
  },
};

describe('payloadTemplate', () => {
  it.each([
    ['{"t":"{{triggerEvent}}"}', '{"t":"DELEGATION_CREDENTIAL_ERROR"}'],
    ['{"m":"{{error.message}}"}', JSON.stringify({ m: 'Key "k1" was deleted\nin Google Cloud' })],
    ['{"id": {{ user.id }}, "org": {{user.organizationId}}}', '{"id":3,"org":9}'],
    ['{"u": {{user}}}', JSON.stringify({ u: event.payload.user })],
    [
      '{"at":"{{createdAt}}","type":"{{error.type}}"}',
      '{"at":"2026-06-12T10:00:00.000Z","type":"KEY_REVOKED"}',
    ],
  ])('renders %s as JSON', (template, expected) => {
    expect(renderWebhookBody(template, event)).toEqual({ body: expected, contentType: 'application/json' });
  });

  it('renders a missing value as null', () => {
    const partial = { ...event, payload: { error: { type: 'X' } } };
    expect(renderWebhookBody('{"u": {{user.id}}}', partial).body).toBe('{"u":null}');
  });

  it('renders a credential-wide event: user fields are null, delegationCredential is there', () => {
    const wide: WebhookBody = {
      ...event,
      payload: {
        scope: 'credential',
        error: { type: 'KEY_REVOKED', message: 'deleted' },
        credential: {
          id: null,
          type: 'google_calendar',
          appId: 'google-calendar',
          delegationCredentialId: 'dc-1',
        },
        user: null,
        delegationCredential: { id: 'dc-1', domain: 'acme.test', status: 'failing' },
        affectedMembers: 3,
      },
    };
    const template =
      '{"s":"{{scope}}","d":"{{delegationCredential.domain}}","n":{{affectedMembers}},"u":{{user.email}}}';
    expect(renderWebhookBody(template, wide).body).toBe('{"s":"credential","d":"acme.test","n":3,"u":null}');
  });

  it('sends a non-JSON result verbatim as a form', () => {
    expect(renderWebhookBody('type={{error.type}}&user={{user.id}}', event)).toEqual({
      body: 'type=KEY_REVOKED&user=3',
      contentType: 'application/x-www-form-urlencoded',
    });
  });

  it('sends the default Cal.com body without a template', () => {
    expect(renderWebhookBody(null, event)).toEqual({
      body: JSON.stringify(event),
      contentType: 'application/json',
    });
    expect(renderWebhookBody('', event).body).toBe(JSON.stringify(event));
  });

  it('lists used and unknown variables (prototype keys are not variables)', () => {
    const template = '{{user.email}} {{ nope }} {{user.email}} {{constructor}} {{error.__proto__}} {{}}';
    expect(templateVariables(template)).toEqual(['user.email', 'nope', 'constructor', 'error.__proto__', '']);
    expect(unknownTemplateVariables(template)).toEqual(['nope', 'constructor', 'error.__proto__', '']);
    expect(renderWebhookBody('{"x":"{{constructor}}"}', event).body).toBe('{"x":"null"}');
  });
});
