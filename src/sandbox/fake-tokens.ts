import { randomBytes } from 'node:crypto';

export interface GoogleTokenGrant {
  platform: 'google';
  subject: string;
  clientId: string;
  scopes: string[];
}

export interface MicrosoftTokenGrant {
  platform: 'microsoft';
  tenantId: string;
  clientId: string;
  roles: string[];
}

export type TokenGrant = (GoogleTokenGrant | MicrosoftTokenGrant) & { expiresAt: number };

/** Opaque access tokens issued by the fake, with what they grant. APIs accept only these. */
export class TokenRegistry {
  private readonly tokens = new Map<string, TokenGrant>();
  private readonly mints = new Map<string, number>();
  private readonly lastTokens = new Map<string, string>();
  lifetimeSeconds = 3600;

  issue(
    grant: GoogleTokenGrant | MicrosoftTokenGrant,
    mintKey: string,
  ): { token: string; expiresIn: number } {
    const prefix = grant.platform === 'google' ? 'ya29.fake-' : 'eyJ0eXAiOiJKV1Qi.fake-';
    const token = `${prefix}${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { ...grant, expiresAt: Date.now() + this.lifetimeSeconds * 1000 });
    this.mints.set(mintKey, (this.mints.get(mintKey) ?? 0) + 1);
    this.lastTokens.set(mintKey, token);
    return { token, expiresIn: this.lifetimeSeconds };
  }

  /** The grant of a live token, `expired` for a known but expired/revoked one, undefined for a foreign one. */
  lookup(token: string | undefined): TokenGrant | 'expired' | undefined {
    if (!token) return undefined;
    const grant = this.tokens.get(token);
    if (!grant) return undefined;
    return grant.expiresAt <= Date.now() ? 'expired' : grant;
  }

  /** Makes every issued token fail as expired (simulates revocation / early expiry). */
  expireAll(): void {
    for (const grant of this.tokens.values()) grant.expiresAt = 0;
  }

  mintCount(key?: string): number {
    if (key !== undefined) return this.mints.get(key) ?? 0;
    return [...this.mints.values()].reduce((sum, n) => sum + n, 0);
  }

  mintCounts(): Record<string, number> {
    return Object.fromEntries(this.mints);
  }

  lastToken(key: string): string | undefined {
    return this.lastTokens.get(key);
  }

  resetCounters(): void {
    this.mints.clear();
  }

  clear(): void {
    this.tokens.clear();
    this.mints.clear();
    this.lastTokens.clear();
  }
}
