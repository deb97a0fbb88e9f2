import { GUARDS_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Pbac, PlatformPlan, Roles } from '../src/auth/decorators/auth.decorators';
import { ORG_GUARD_CHAIN } from '../src/auth/guards/org-guards';
import { useTestApp } from './utils/app';

/** Fails when any route under /v2/organizations/ is not behind the full guard chain with a role requirement. */
describe('Every /v2/organizations route is guarded (e2e)', () => {
  const t = useTestApp();

  it('declares ORG_GUARD_CHAIN and @Roles / @Pbac / @PlatformPlan on each handler', () => {
    const reflector = t.app.get(Reflector);
    const scanner = new MetadataScanner();
    const controllers = t.app.get(DiscoveryService).getControllers();
    const orgRoutes: string[] = [];
    for (const wrapper of controllers) {
      const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | undefined;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '').replace(/^\//, '');
      for (const method of scanner.getAllMethodNames(type.prototype as object)) {
        const handler = (type.prototype as Record<string, unknown>)[method] as (
          ...args: unknown[]
        ) => unknown;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const full = `${base}/${path.replace(/^\//, '')}`;
        if (!full.startsWith('v2/organizations')) continue;
        orgRoutes.push(`${type.name}.${method}`);
        const guards = [
          ...((Reflect.getMetadata(GUARDS_METADATA, type) as unknown[]) ?? []),
          ...((Reflect.getMetadata(GUARDS_METADATA, handler) as unknown[]) ?? []),
        ];
        expect({ route: full, guards }).toEqual({ route: full, guards: [...ORG_GUARD_CHAIN] });
        const targets = [handler, type];
        expect({ route: full, roles: reflector.getAllAndOverride(Roles, targets) }).toEqual({
          route: full,
          roles: expect.any(String),
        });
        expect({ route: full, pbac: reflector.getAllAndOverride(Pbac, targets) }).toEqual({
          route: full,
          pbac: expect.any(Array),
        });
        expect({ route: full, plan: reflector.getAllAndOverride(PlatformPlan, targets) }).toEqual({
          route: full,
          plan: expect.any(String),
        });
      }
    }
    expect(orgRoutes.length).toBeGreaterThanOrEqual(7);
  });
});
