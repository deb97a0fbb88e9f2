import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfigService } from '../config/app-config.service';
import type { MasterKey } from '../config/master-keys';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'gcm1';

export interface Sealed {
  /** `gcm1.<base64 nonce>.<base64 ciphertext>.<base64 tag>` */
  ciphertext: string;
  keyVersion: number;
}

/** Raised when a ciphertext cannot be opened: wrong/missing master key, wrong record, or tampering. */
export class KeyDecryptionError extends Error {
  override readonly name = 'KeyDecryptionError';
}

/**
 * Envelope encryption of service account keys: AES-256-GCM, a random 96-bit nonce per write, and the record id as
 * associated data, so a ciphertext copied onto another row does not open. The whole key object is encrypted.
 * Several master keys may be configured; the newest encrypts, any configured version decrypts.
 */
@Injectable()
export class KeyEncryptionService {
  constructor(private readonly config: AppConfigService) {}

  get currentVersion(): number {
    return this.config.encryptionKeys[0].version;
  }

  seal(plaintext: object, recordId: string): Sealed {
    const master = this.config.encryptionKeys[0];
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', master.key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(recordId, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(plaintext), 'utf8'), cipher.final()]);
    const parts = [
      FORMAT,
      nonce.toString('base64'),
      body.toString('base64'),
      cipher.getAuthTag().toString('base64'),
    ];
    return { ciphertext: parts.join('.'), keyVersion: master.version };
  }

  open<T>(sealed: Sealed, recordId: string): T {
    const master = this.masterKey(sealed.keyVersion);
    const [format, nonceB64, bodyB64, tagB64, extra] = sealed.ciphertext.split('.');
    if (format !== FORMAT || !nonceB64 || !bodyB64 || !tagB64 || extra !== undefined) {
      throw new KeyDecryptionError(`Record ${recordId}: stored key is not in the ${FORMAT} format`);
    }
    const nonce = Buffer.from(nonceB64, 'base64');
    const tag = Buffer.from(tagB64, 'base64');
    if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) {
      throw new KeyDecryptionError(`Record ${recordId}: stored key has a malformed nonce or tag`);
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', master.key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(recordId, 'utf8'));
      decipher.setAuthTag(tag);
      const plain = Buffer.concat([decipher.update(Buffer.from(bodyB64, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as T;
    } catch {
      throw new KeyDecryptionError(
        `Record ${recordId}: stored key failed authentication (tampered, or encrypted for another record or key)`,
      );
    }
  }

  private masterKey(version: number): MasterKey {
    const master = this.config.encryptionKeys.find((k) => k.version === version);
    if (!master) {
      throw new KeyDecryptionError(
        `Master key version ${version} is not configured (SERVICE_ACCOUNT_ENCRYPTION_KEYS); cannot decrypt`,
      );
    }
    return master;
  }
}
