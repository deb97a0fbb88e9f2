import type { KeyEncryptionService, Sealed } from './key-encryption.service';

export interface SealedRow<Id extends string | number> {
  id: Id;
  ciphertext: string;
  keyVersion: number;
}

/** One table holding sealed values, as the master-key rotation sees it. */
export interface ReencryptTarget<Id extends string | number> {
  /** Rows not sealed under `currentVersion` whose id is after `afterId` (keyset order), at most `limit`. */
  stale(currentVersion: number, afterId: Id | null, limit: number): Promise<SealedRow<Id>[]>;
  /** The associated data the row's value was sealed with. */
  associatedData(id: Id): string;
  /** Stores `next` only if the row still holds `row` (a concurrent write is never overwritten). */
  replace(row: SealedRow<Id>, next: Sealed): Promise<boolean>;
}

/**
 * Re-seals every value of a table under the newest master key, in keyset batches. A value that does not open
 * (tampered, or its master key is no longer configured) stops the run with the error: nothing is silently skipped.
 */
export async function reencryptRows<Id extends string | number>(
  crypto: KeyEncryptionService,
  target: ReencryptTarget<Id>,
  batchSize = 200,
): Promise<number> {
  const currentVersion = crypto.currentVersion;
  let rewritten = 0;
  let afterId: Id | null = null;
  for (;;) {
    const rows = await target.stale(currentVersion, afterId, batchSize);
    if (!rows.length) return rewritten;
    for (const row of rows) {
      const aad = target.associatedData(row.id);
      const plain = crypto.open<object>({ ciphertext: row.ciphertext, keyVersion: row.keyVersion }, aad);
      if (await target.replace(row, crypto.seal(plain, aad))) rewritten += 1;
    }
    afterId = rows[rows.length - 1].id;
  }
}
