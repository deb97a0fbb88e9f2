import { generateKeyPairSync, randomUUID } from 'node:crypto';

let cachedPem: string | undefined;
/** A real RSA private key in PEM (generated once per test file: RSA generation is slow). */
export function rsaPrivateKeyPem(): string {
  cachedPem ??= generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  return cachedPem;
}

/** A whole downloaded-style Google JSON key (extra fields included, as admins paste it). */
export function googleKeyJson(overrides: Record<string, string> = {}) {
  const clientId = String(100000000000000000000 + Math.floor(Math.random() * 1e9));
  return {
    type: 'service_account',
    project_id: 'acme-project',
    private_key_id: randomUUID().replace(/-/g, ''),
    private_key: rsaPrivateKeyPem(),
    client_email: `cal-${clientId.slice(-6)}@acme-project.iam.gserviceaccount.com`,
    client_id: clientId,
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: 'https://oauth2.googleapis.com/token',
    ...overrides,
  };
}

export function microsoftKey(overrides: Record<string, string> = {}) {
  return {
    private_key: `secret~${randomUUID()}`,
    tenant_id: randomUUID(),
    client_id: randomUUID(),
    ...overrides,
  };
}
