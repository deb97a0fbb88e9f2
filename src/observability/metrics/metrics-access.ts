import { createHash, timingSafeEqual } from 'node:crypto';
import type { ObservabilityConfig } from '../../config/app-config.service';

export type MetricsAccess = 'allowed' | 'disabled' | 'unauthorized';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Who may read /metrics (API and worker alike): nobody when METRICS_ENABLED=false (answered 404, as if absent);
 * with METRICS_TOKEN set, only `Authorization: Bearer <token>` (compared in constant time); otherwise anyone.
 */
export function metricsAccess(
  config: Pick<ObservabilityConfig, 'metricsEnabled' | 'metricsToken'>,
  authorization: string | undefined,
): MetricsAccess {
  if (!config.metricsEnabled) return 'disabled';
  if (!config.metricsToken) return 'allowed';
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
  if (!presented) return 'unauthorized';
  return timingSafeEqual(digest(presented), digest(config.metricsToken)) ? 'allowed' : 'unauthorized';
}

export const METRICS_UNAUTHORIZED = 'Metrics require Authorization: Bearer <METRICS_TOKEN>';
