import { SetMetadata } from '@nestjs/common';

/** The per-route limits (RATE_LIMIT_VERIFY_LIMIT, RATE_LIMIT_BUSY_TIMES_LIMIT): names of extra throttlers. */
export const ROUTE_LIMITS = ['verify', 'busyTimes'] as const;
export type RouteLimitName = (typeof ROUTE_LIMITS)[number];

export const ROUTE_RATE_LIMIT = 'rate-limit:route';

/**
 * Puts an expensive route under an extra, tighter limit per caller on top of the default one (its own headers:
 * `X-RateLimit-Limit-Verify`, `…-BusyTimes`), as Cal.com's per-endpoint `@Throttle` does.
 */
export const RouteRateLimit = (name: RouteLimitName): MethodDecorator => SetMetadata(ROUTE_RATE_LIMIT, name);
