import { randomBytes, randomUUID } from 'node:crypto';
import type { AppConfigService } from '../config/app-config.service';
import { parseMasterKeys } from '../config/master-keys';
import { KeyDecryptionError, KeyEncryptionService } from './key-encryption.service';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const serviceWith = (single?: string, multiple?: string): KeyEncryptionService =>
  new KeyEncryptionService({
    encryptionKeys: parseMasterKeys(single, multiple),
  } as unknown as AppConfigService);

describe('KeyEncryptionService', () => {
  const secret = {
    private_key: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n',
    client_id: '42',
  };

  it('round-trips the whole object and never stores the plaintext', () => {
    const svc = serviceWith(k1);
    const id = randomUUID();
    const sealed = svc.seal(secret, id);
    expect(sealed.keyVersion).toBe(1);
    expect(sealed.ciphertext).not.toContain('PRIVATE KEY');
    expect(sealed.ciphertext).not.toContain('client_id');
    expect(svc.open(sealed, id)).toEqual(secret);
  });

  it('uses a fresh nonce per write', () => {
    const svc = serviceWith(k1);
    const id = randomUUID();
    expect(svc.seal(secret, id).ciphertext).not.toBe(svc.seal(secret, id).ciphertext);
  });

  it('fails loudly on a tampered ciphertext', () => {
    const svc = serviceWith(k1);
    const id = randomUUID();
    const sealed = svc.seal(secret, id);
    const [f, n, body, tag] = sealed.ciphertext.split('.');
    const bytes = Buffer.from(body, 'base64');
    bytes[0] ^= 1;
    const tampered = { ...sealed, ciphertext: [f, n, bytes.toString('base64'), tag].join('.') };
    expect(() => svc.open(tampered, id)).toThrow(KeyDecryptionError);
  });

  it('does not open a ciphertext moved to another record (id is associated data)', () => {
    const svc = serviceWith(k1);
    const sealed = svc.seal(secret, randomUUID());
    expect(() => svc.open(sealed, randomUUID())).toThrow(/failed authentication/);
  });

  it('encrypts with the newest key and still opens older versions', () => {
    const old = serviceWith(undefined, `1:${k1}`);
    const id = randomUUID();
    const v1 = old.seal(secret, id);
    const rotated = serviceWith(undefined, `1:${k1},2:${k2}`);
    expect(rotated.currentVersion).toBe(2);
    expect(rotated.seal(secret, id).keyVersion).toBe(2);
    expect(rotated.open(v1, id)).toEqual(secret);
  });

  it('names the missing master key version', () => {
    const id = randomUUID();
    const sealed = serviceWith(undefined, `3:${k2}`).seal(secret, id);
    expect(() => serviceWith(k1).open(sealed, id)).toThrow(/version 3 is not configured/);
  });
});
