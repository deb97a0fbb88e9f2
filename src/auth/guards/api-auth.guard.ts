import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { AppRequest } from '../../common/http/request-context';
import { AppConfigService } from '../../config/app-config.service';
import { ApiKeyUsageRecorder } from '../api-key-usage.service';
import { AuthRepository } from '../auth.repository';
import type { ResolvedPrincipal } from '../principal';
import { PrincipalCache } from '../principal-cache.service';
import { digestsEqual, sha256Hex } from '../secrets';
import { pathOrgId } from './org-access';

const CLIENT_ID_HEADER = 'x-cal-client-id';
const SECRET_KEY_HEADER = 'x-cal-secret-key';

const PREFIX = 'ApiAuthStrategy';
const fail = (message: string): never => {
  throw new UnauthorizedException(`${PREFIX} - ${message}`);
};

function header(request: AppRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() ? first.trim() : undefined;
}

/**
 * Exact expiry: a key stops working the instant `now > expiresAt` (compared as instants, never by day — Cal.com's
 * keys once worked until the end of their expiry day, a bug it fixed the same way).
 */
export const isExpired = (expiresAt: Date | null, now: number = Date.now()): boolean =>
  expiresAt !== null && now > expiresAt.getTime();

/**
 * Cal.com API v2 authentication: platform OAuth client headers (`x-cal-client-id` + `x-cal-secret-key`, which win
 * when both are present) or `Authorization: Bearer <prefix>…` API keys. Every failure is a 401 naming the problem.
 *
 * One query (or none, from PrincipalCache) resolves the credential together with what the organization guards
 * after it need for the path's `orgId` (organization flags, the user's membership and PBAC permissions); they read
 * it from `request.principal`. Expiry and the OAuth secret are checked on every request, cached or not.
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthRepository,
    private readonly config: AppConfigService,
    private readonly cache: PrincipalCache,
    private readonly usage: ApiKeyUsageRecorder,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AppRequest>();
    const clientId = header(request, CLIENT_ID_HEADER);
    const secret = header(request, SECRET_KEY_HEADER);
    const authorization = header(request, 'authorization');

    const orgId = pathOrgId(request);
    if (clientId && secret) {
      await this.authenticateOAuthClient(request, clientId, secret, orgId);
    } else if (authorization) {
      await this.authenticateBearer(request, authorization, orgId);
    } else if (clientId) {
      fail(
        `Only '${CLIENT_ID_HEADER}' header provided. Please also provide '${SECRET_KEY_HEADER}' header or Auth bearer token as 'Authorization' header`,
      );
    } else if (secret) {
      fail(
        `Only '${SECRET_KEY_HEADER}' header provided. Please also provide '${CLIENT_ID_HEADER}' header or Auth bearer token as 'Authorization' header`,
      );
    } else {
      fail(
        `No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as '${SECRET_KEY_HEADER}' and '${CLIENT_ID_HEADER}' headers`,
      );
    }
    return true;
  }

  private async authenticateBearer(
    request: AppRequest,
    authorization: string,
    orgId: number | null,
  ): Promise<void> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) fail("Authorization header must have the form 'Bearer <api key>'");
    const token = match![1];
    const prefix = this.config.apiKeyPrefix;
    if (!token.startsWith(prefix)) fail(`Invalid Bearer token: API keys start with '${prefix}'`);

    const hashedKey = sha256Hex(token.slice(prefix.length));
    const principal = await this.cache.get(`k:${hashedKey}\n${orgId ?? ''}`, `k:${hashedKey}`, () =>
      this.auth.resolveApiKey(hashedKey, orgId),
    );
    if (!principal?.user) fail('api key - Your api key is not valid');
    if (isExpired(principal!.expiresAt)) fail('api key - Your api key is expired');
    this.setCaller(request, principal!);
    this.usage.record(principal!.credentialId);
  }

  private async authenticateOAuthClient(
    request: AppRequest,
    clientId: string,
    secret: string,
    orgId: number | null,
  ): Promise<void> {
    const principal = await this.cache.get(`c:${clientId}\n${orgId ?? ''}`, `c:${clientId}`, () =>
      this.auth.resolveOAuthClient(clientId, orgId),
    );
    if (!principal) fail(`oAuth client - Client with ID ${clientId} not found`);
    if (!digestsEqual(sha256Hex(secret), principal!.secretHash ?? ''))
      fail('oAuth client - Invalid client secret');
    if (!principal!.user) fail('oAuth client - No owner ID found for this OAuth client');
    this.setCaller(request, principal!);
  }

  private setCaller(request: AppRequest, principal: ResolvedPrincipal): void {
    request.user = { ...principal.user! };
    request.authMethod = principal.method;
    request.authOrganizationId = principal.authOrganizationId;
    request.principal = principal;
  }
}
