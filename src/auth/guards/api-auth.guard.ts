import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  Logger,
  UnauthorizedException,
} from '@nestjs/common';
import type { AppRequest, AuthUser } from '../../common/http/request-context';
import { AppConfigService } from '../../config/app-config.service';
import { AuthRepository } from '../auth.repository';
import { digestsEqual, sha256Hex } from '../secrets';

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
 */
@Injectable()
export class ApiAuthGuard implements CanActivate {
  private readonly logger = new Logger(ApiAuthGuard.name);

  constructor(
    private readonly auth: AuthRepository,
    private readonly config: AppConfigService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AppRequest>();
    const clientId = header(request, CLIENT_ID_HEADER);
    const secret = header(request, SECRET_KEY_HEADER);
    const authorization = header(request, 'authorization');

    if (clientId && secret) {
      await this.authenticateOAuthClient(request, clientId, secret);
    } else if (authorization) {
      await this.authenticateBearer(request, authorization);
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

  private async authenticateBearer(request: AppRequest, authorization: string): Promise<void> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match) fail("Authorization header must have the form 'Bearer <api key>'");
    const token = match![1];
    const prefix = this.config.apiKeyPrefix;
    if (!token.startsWith(prefix)) fail(`Invalid Bearer token: API keys start with '${prefix}'`);

    const apiKey = await this.auth.findApiKeyByHash(sha256Hex(token.slice(prefix.length)));
    if (!apiKey) fail('api key - Your api key is not valid');
    if (isExpired(apiKey!.expiresAt)) fail('api key - Your api key is expired');

    this.setCaller(request, apiKey!.user, 'api-key', apiKey!.teamId);
    // Bookkeeping only: a failure here must not fail the request.
    this.auth
      .touchApiKey(apiKey!.id)
      .catch((error: Error) => this.logger.warn(`lastUsedAt not updated: ${error.message}`));
  }

  private async authenticateOAuthClient(
    request: AppRequest,
    clientId: string,
    secret: string,
  ): Promise<void> {
    const client = await this.auth.findOAuthClient(clientId);
    if (!client) fail(`oAuth client - Client with ID ${clientId} not found`);
    if (!digestsEqual(sha256Hex(secret), client!.secretHash)) fail('oAuth client - Invalid client secret');
    const actor = await this.auth.findPlatformActor(client!.organizationId);
    if (!actor) fail('oAuth client - No owner ID found for this OAuth client');
    this.setCaller(request, actor!, 'oauth-client', client!.organizationId);
  }

  private setCaller(
    request: AppRequest,
    user: { id: number; email: string; name: string | null; role: string; emailVerified: Date | null },
    method: AppRequest['authMethod'],
    organizationId: number | null,
  ): void {
    const caller: AuthUser = {
      id: user.id,
      email: user.email,
      name: user.name,
      isSystemAdmin: user.role === 'ADMIN',
      emailVerified: user.emailVerified !== null,
    };
    request.user = caller;
    request.authMethod = method;
    request.authOrganizationId = organizationId;
  }
}
