import { createPrivateKey } from 'node:crypto';
import { tenantIdProblem } from '../providers/microsoft/tenant-id';
import type {
  GoogleServiceAccountKey,
  MicrosoftServiceAccountKey,
  WorkspacePlatformSlug,
} from '../providers/provider.types';

export type ParsedServiceAccountKey =
  | { platform: 'google'; key: GoogleServiceAccountKey }
  | { platform: 'office365'; key: MicrosoftServiceAccountKey };

export const SERVICE_ACCOUNT_KEY_SHAPE_MESSAGE =
  'Service account key must be either a Google service account key (with client_email, private_key, client_id) ' +
  'or Microsoft service account key (with tenant_id, private_key, client_id)';

const GOOGLE_FIELDS = ['private_key', 'client_email', 'client_id'] as const;
const MICROSOFT_FIELDS = ['private_key', 'tenant_id', 'client_id'] as const;

/** The published spec documents an array; at run time one object is sent. Accept both (a single element only). */
export function unwrapServiceAccountKey(value: unknown): unknown {
  return Array.isArray(value) && value.length === 1 ? value[0] : value;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function missing(record: Record<string, unknown>, fields: readonly string[]): string[] {
  return fields.filter((f) => typeof record[f] !== 'string' || record[f].trim() === '');
}

/**
 * Checks the shape of a key and returns only the fields we keep (extra fields of a downloaded Google JSON key are
 * dropped). Stateless — errors are returned, never kept on a shared instance. Messages name fields, never values.
 */
export function parseServiceAccountKey(
  value: unknown,
): { ok: true; parsed: ParsedServiceAccountKey } | { ok: false; errors: string[] } {
  const record = unwrapServiceAccountKey(value);
  if (!isRecord(record)) return { ok: false, errors: [SERVICE_ACCOUNT_KEY_SHAPE_MESSAGE] };
  if ('client_email' in record) {
    const absent = missing(record, GOOGLE_FIELDS);
    if (absent.length)
      return { ok: false, errors: absent.map((f) => `serviceAccountKey.${f} must be a non-empty string`) };
    const privateKey = normalizePem(record.private_key as string);
    const keyProblem = rsaPrivateKeyProblem(privateKey);
    if (keyProblem) return { ok: false, errors: [`serviceAccountKey.private_key ${keyProblem}`] };
    return {
      ok: true,
      parsed: {
        platform: 'google',
        key: {
          private_key: privateKey,
          client_email: (record.client_email as string).trim(),
          client_id: (record.client_id as string).trim(),
        },
      },
    };
  }
  if ('tenant_id' in record) {
    const absent = missing(record, MICROSOFT_FIELDS);
    if (absent.length)
      return { ok: false, errors: absent.map((f) => `serviceAccountKey.${f} must be a non-empty string`) };
    const tenantProblem = tenantIdProblem(record.tenant_id as string);
    if (tenantProblem) return { ok: false, errors: [`serviceAccountKey.tenant_id ${tenantProblem}`] };
    return {
      ok: true,
      parsed: {
        platform: 'office365',
        key: {
          private_key: record.private_key as string,
          tenant_id: (record.tenant_id as string).trim(),
          client_id: (record.client_id as string).trim(),
        },
      },
    };
  }
  return { ok: false, errors: [SERVICE_ACCOUNT_KEY_SHAPE_MESSAGE] };
}

/**
 * A PEM whose line breaks arrived as literal escapes — `\\n` from an env file or a JSON string pasted into JSON,
 * `\\\\n` one level deeper — with its real line breaks back. A PEM body is base64, so a backslash never belongs
 * to it; real line breaks (LF or CRLF) are kept as they are.
 */
export function normalizePem(pem: string): string {
  const unescaped = pem.replace(/\\+r/g, '').replace(/\\+n/g, '\n');
  return unescaped.trim() + '\n';
}

/**
 * Why `pem` is not usable as a Google service account key, or null: it must be a PEM private key (PKCS#8
 * `BEGIN PRIVATE KEY` as Google issues it, or PKCS#1 `BEGIN RSA PRIVATE KEY`), unencrypted, and RSA — Google signs
 * service account assertions with RS256 only, so an EC or Ed25519 key could never work. Never echoes the key.
 */
export function rsaPrivateKeyProblem(pem: string): string | null {
  const pemMessage =
    'must be a PEM-encoded private key (-----BEGIN PRIVATE KEY-----), as in the JSON key file downloaded from ' +
    'Google Cloud console';
  if (!/-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(pem)) return pemMessage;
  if (pem.includes('BEGIN ENCRYPTED PRIVATE KEY')) {
    return 'must not be encrypted: upload the JSON key file exactly as downloaded from Google Cloud console';
  }
  let type: string | undefined;
  try {
    type = createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyType;
  } catch {
    return pemMessage;
  }
  if (type !== 'rsa') {
    return (
      `must be an RSA private key, as Google issues for service accounts (this key is ` +
      `${(type ?? 'unknown').toUpperCase()}): create a JSON key in Google Cloud console › IAM & Admin › Service ` +
      `Accounts › Keys`
    );
  }
  return null;
}

const KEY_KIND: Record<WorkspacePlatformSlug, string> = {
  google: 'a Google service account key (client_email, private_key, client_id)',
  office365: 'a Microsoft Entra application key (tenant_id, private_key = client secret, client_id)',
};

/** 400 message when the key type does not fit the platform, or null when it fits. */
export function keyPlatformMismatch(
  platform: WorkspacePlatformSlug,
  parsed: ParsedServiceAccountKey,
): string | null {
  return parsed.platform === platform
    ? null
    : `serviceAccountKey must be ${KEY_KIND[platform]} for workspace platform '${platform}'`;
}
