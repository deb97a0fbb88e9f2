import { ProviderError } from './provider.errors';
import { noInlineRetry } from './provider-retry';

export interface PagingLimits {
  platform: 'google' | 'office365';
  /** What is being listed, for the message ("listing calendars of jane@acme.test"). */
  what: string;
  /** Most pages followed before giving up (the first page counts). */
  maxPages: number;
}

/** One page: its items and the cursor of the next page (Google `nextPageToken`, Graph `@odata.nextLink`). */
export interface Page<T> {
  items: T[];
  next?: string | null;
}

function pagingError(limits: PagingLimits, detail: string): ProviderError {
  const provider = limits.platform === 'google' ? 'Google' : 'Microsoft Graph';
  // Transient (the provider misbehaves, nothing to fix on our side), but retrying at once would loop again.
  return noInlineRetry(
    new ProviderError(
      'PROVIDER_UNAVAILABLE',
      `${provider} paging did not end while ${limits.what}: ${detail}. Stopped instead of looping.`,
      limits.platform,
    ),
  );
}

/**
 * Follows a provider's paging to the end, bounded: a cursor seen before (the provider sends the same page again)
 * or more than `maxPages` pages end in PROVIDER_UNAVAILABLE instead of a loop that never ends.
 */
export async function collectPages<T>(
  first: () => Promise<Page<T>>,
  next: (cursor: string) => Promise<Page<T>>,
  limits: PagingLimits,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let page = await first();
  for (let pages = 1; ; pages++) {
    items.push(...page.items);
    const cursor = page.next;
    if (!cursor) return items;
    if (seen.has(cursor)) throw pagingError(limits, `page ${pages} pointed back to an earlier page`);
    if (pages >= limits.maxPages) throw pagingError(limits, `more than ${limits.maxPages} pages`);
    seen.add(cursor);
    page = await next(cursor);
  }
}
