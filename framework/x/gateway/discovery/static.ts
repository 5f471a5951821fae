import { GATEWAY_ERROR_CODES, GatewayError, type ServiceDiscovery, type TargetOptions } from 'plumego/x/gateway';
import { TargetFeed } from './listeners.ts';

/** A fixed target list; `update` replaces it (for tests and operator endpoints). */
export interface StaticDiscovery extends ServiceDiscovery {
  update(targets: readonly (string | TargetOptions)[]): void;
}

export function normalizeTargets(targets: readonly (string | TargetOptions)[]): TargetOptions[] {
  return targets.map((t) => {
    const target = typeof t === 'string' ? { url: t } : t;
    if (typeof target.url !== 'string' || !/^https?:\/\//.test(target.url)) {
      throw new GatewayError(
        GATEWAY_ERROR_CODES.invalidOptions,
        'invalid discovery target: an http(s) URL is required',
      );
    }
    return target;
  });
}

export function createStaticDiscovery(targets: readonly (string | TargetOptions)[]): StaticDiscovery {
  const feed = new TargetFeed();
  feed.publish(normalizeTargets(targets));
  return {
    subscribe: (listener) => feed.subscribe(listener),
    update: (next) => feed.publish(normalizeTargets(next)),
    close: () => feed.clear(),
  };
}
