import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { Pbac, type PermissionString } from '../../src/auth/decorators/auth.decorators';

/** One route of the running app, from Nest's own route metadata (what the router serves, documented or not). */
export interface RouteEntry {
  /** `GET /v2/organizations/:orgId/webhooks/:webhookId` */
  key: string;
  method: string;
  path: string;
  handler: string;
  /** The route's @Pbac permissions (organization routes), else []. */
  permissions: PermissionString[];
}

const joinPath = (...parts: string[]): string =>
  `/${parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/')}`;

/** Every route handler of every controller of `app`, with its method and full path. */
export function routeTable(app: INestApplication): RouteEntry[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const routes: RouteEntry[] = [];
  for (const wrapper of app.get(DiscoveryService).getControllers()) {
    const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
    if (!type) continue;
    const bases = [Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined].flat();
    for (const name of scanner.getAllMethodNames(type.prototype as object)) {
      const handler = (type.prototype as Record<string, unknown>)[name] as (...args: unknown[]) => unknown;
      const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
      if (paths === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const permissions = reflector.getAllAndOverride(Pbac, [handler, type]) ?? [];
      for (const base of bases)
        for (const path of [paths].flat()) {
          const full = joinPath(base ?? '', path);
          routes.push({
            key: `${method} ${full}`,
            method,
            path: full,
            handler: `${type.name}.${name}`,
            permissions,
          });
        }
    }
  }
  return routes.sort((a, b) => a.key.localeCompare(b.key));
}

/** `/v2/organizations/{orgId}/x` (OpenAPI) → `/v2/organizations/:orgId/x` (Nest). */
export const openApiToNestPath = (path: string): string => path.replace(/\{([^}]+)\}/g, ':$1');
