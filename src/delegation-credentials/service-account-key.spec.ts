import { generateKeyPairSync } from 'node:crypto';
import { normalizePem, parseServiceAccountKey, rsaPrivateKeyProblem } from './service-account-key';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const pkcs8 = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
const pkcs1 = rsa.export({ type: 'pkcs1', format: 'pem' }).toString();

describe('Google private_key checks', () => {
  it.each([
    ['as downloaded', pkcs8],
    ['PKCS#1 (BEGIN RSA PRIVATE KEY)', pkcs1],
    ['with \\n escapes', pkcs8.replace(/\n/g, '\\n')],
    ['with \\\\n escapes', pkcs8.replace(/\n/g, '\\\\n')],
    ['with CRLF line breaks', pkcs8.replace(/\n/g, '\r\n')],
    ['without its final line break, padded', `  ${pkcs8.trim()}  `],
  ])('accepts an RSA key %s, restored to real line breaks', (_label, pem) => {
    const normalized = normalizePem(pem);
    expect(normalized).not.toContain('\\');
    expect(normalized.endsWith('-----\n')).toBe(true);
    expect(rsaPrivateKeyProblem(normalized)).toBeNull();
  });

  it('refuses an encrypted key, an EC key and text that is no key, without echoing them', () => {
    const encrypted = rsa
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString();
    expect(rsaPrivateKeyProblem(encrypted)).toContain('must not be encrypted');
    const ec = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(rsaPrivateKeyProblem(ec)).toContain('must be an RSA private key');
    const broken = '-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n';
    expect(rsaPrivateKeyProblem(broken)).toContain('must be a PEM-encoded private key');
    expect(rsaPrivateKeyProblem(broken)).not.toContain('c2VjcmV0');
  });

  it('stores the restored key', () => {
    const result = parseServiceAccountKey({
      private_key: pkcs8.replace(/\n/g, '\\n'),
      client_email: 'a@p.iam.gserviceaccount.com',
      client_id: '1',
    });
    expect(result).toMatchObject({ ok: true, parsed: { platform: 'google', key: { private_key: pkcs8 } } });
  });
});

describe('Microsoft tenant_id checks', () => {
  it.each(['common', 'ORGANIZATIONS', ' consumers ', 'a/b', 'no-dot', ''])('refuses %j', (tenant) => {
    const result = parseServiceAccountKey({ private_key: 's', tenant_id: tenant || ' ', client_id: 'c' });
    expect(result.ok).toBe(false);
  });

  it.each(['0d2f1c1e-9c3b-4a5e-9d53-5a2b7d0f1234', 'contoso.onmicrosoft.com', 'fabrikam.test'])(
    'accepts %s',
    (tenant) => {
      expect(parseServiceAccountKey({ private_key: 's', tenant_id: tenant, client_id: 'c' }).ok).toBe(true);
    },
  );
});
