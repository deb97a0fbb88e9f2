import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter';
import { answerClientErrorsWithEnvelope } from './common/http/client-error';
import { rejectNulInUrl, verifyJsonBody } from './common/http/json-body';
import { requestIdMiddleware } from './common/http/request-id.middleware';
import { createValidationPipe } from './common/http/validation';
import { AppConfigService } from './config/app-config.service';
import { HELMET_OPTIONS, setupDocsExplorer } from './common/docs/explorer';

export const CORS_ALLOWED_HEADERS = [
  'x-cal-client-id',
  'x-cal-secret-key',
  'x-cal-platform-embed',
  'cal-api-version',
  'Accept',
  'Authorization',
  'Content-Type',
  'Origin',
];

export { createOpenApiDocument } from './common/docs/explorer';

/**
 * Everything main.ts applies to the app, shared with the e2e tests so they run the production setup:
 * request ids, helmet, CORS as Cal.com, JSON body limit, validation, the error envelope, /docs.
 */
export function configureApp(app: NestExpressApplication): void {
  const config = app.get(AppConfigService);
  app.useLogger(app.get(PinoNestLogger));
  app.set('trust proxy', config.trustProxy);
  app.use(requestIdMiddleware);
  answerClientErrorsWithEnvelope(app.getHttpServer());
  app.use(rejectNulInUrl);
  app.use(helmet(HELMET_OPTIONS));
  app.enableCors({
    origin: '*',
    methods: ['GET', 'PATCH', 'DELETE', 'HEAD', 'POST', 'PUT', 'OPTIONS'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: ['X-Request-Id'],
    maxAge: 86400,
  });
  app.useBodyParser('json', {
    limit: config.jsonBodyLimit,
    verify: verifyJsonBody,
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  if (config.docsEnabled) setupDocsExplorer(app);
  Logger.log(`Configured (docs ${config.docsEnabled ? 'at /docs' : 'disabled'})`, 'Bootstrap');
}
