import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { HelmetOptions } from 'helmet';
import type { NextFunction, Request, Response } from 'express';

/**
 * Names of the OpenAPI security schemes. They give the explorer its Authorize button; every `/v2` operation accepts
 * either the API key or the platform OAuth client pair (Cal.com's two ways to authenticate).
 */
export const SECURITY_SCHEMES = {
  apiKey: 'ApiKey',
  platformClientId: 'PlatformClientId',
  platformSecretKey: 'PlatformSecretKey',
} as const;

/** The OpenAPI document served at /docs-json: Cal.com's operationIds and per-operation headers, plus security schemes. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Cal.com API v2')
    .setDescription(
      'Self-hostable implementation of Cal.com API v2 Delegation Credentials: organization admins connect Google ' +
        'Workspace or Microsoft 365 once for every member of a domain.\n\n' +
        'Use **Authorize** once: an API key (`cal_…`, sent as `Authorization: Bearer cal_…`), or a platform OAuth ' +
        'client (`x-cal-client-id` + `x-cal-secret-key`, which win when both are sent). Then "Try it out" on any ' +
        'operation sends them for you.',
    )
    .setVersion('1.0.0')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'cal_ API key',
        description:
          'An API key, e.g. `cal_3f9a…` (`npm run cli -- create-org` prints one). Sent as `Bearer <key>`.',
      },
      SECURITY_SCHEMES.apiKey,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'x-cal-client-id',
        description: 'For platform customers: the OAuth client ID (with x-cal-secret-key).',
      },
      SECURITY_SCHEMES.platformClientId,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'x-cal-secret-key',
        description: 'For platform customers: the OAuth client secret key (with x-cal-client-id).',
      },
      SECURITY_SCHEMES.platformSecretKey,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) => `${controllerKey}_${methodKey}`,
  });
  const security: Record<string, string[]>[] = [
    { [SECURITY_SCHEMES.apiKey]: [] },
    { [SECURITY_SCHEMES.platformClientId]: [], [SECURITY_SCHEMES.platformSecretKey]: [] },
  ];
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/v2/')) continue;
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (operation) operation.security ??= security;
    }
  }
  return document;
}

/** Serves the explorer at /docs and the document at /docs-json; an authorization survives a page reload. */
export function setupDocsExplorer(app: INestApplication): void {
  // The explorer's page links its assets relatively (`./docs/swagger-ui-bundle.js`): opened as /docs/ they would
  // resolve under /docs/docs/ (404, a blank page). /docs/ is sent to /docs, its query kept.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const queryAt = req.url.indexOf('?');
    const path = queryAt === -1 ? req.url : req.url.slice(0, queryAt);
    if (path !== '/docs/' || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    res.redirect(301, `/docs${queryAt === -1 ? '' : req.url.slice(queryAt)}`);
  });
  SwaggerModule.setup('docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Cal.com API v2 — Delegation Credentials',
    customCss: '.swagger-ui .topbar { display: none }',
    swaggerOptions: {
      persistAuthorization: true,
      displayRequestDuration: true,
      tryItOutEnabled: false,
    },
  });
}

/**
 * helmet's defaults, minus the CSP directive `upgrade-insecure-requests`: with it a browser that opens /docs over
 * plain http on any host other than localhost fetches the explorer's scripts over https and shows a blank page.
 * (Strict-Transport-Security is kept: browsers ignore it on http responses and honour it behind a TLS proxy.)
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
};
