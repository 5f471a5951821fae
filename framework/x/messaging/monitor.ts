import type { Channel, ChannelHealth, ChannelHealthStatus } from './types.ts';

interface ProviderHealth {
  consecutiveFailures: number;
  lastError: string | undefined;
}

/** Per-provider outcome counts: degraded after one failure in a row, down after `downAfter`. */
export class ChannelMonitor {
  private readonly providers = new Map<string, ProviderHealth>();

  constructor(private readonly downAfter = 3) {}

  record(provider: string, ok: boolean, error?: string): void {
    const h = this.providers.get(provider) ?? { consecutiveFailures: 0, lastError: undefined };
    if (ok) h.consecutiveFailures = 0;
    else {
      h.consecutiveFailures++;
      h.lastError = error;
    }
    this.providers.set(provider, h);
  }

  statusOf(provider: string): ChannelHealthStatus {
    const failures = this.providers.get(provider)?.consecutiveFailures ?? 0;
    return failures === 0 ? 'healthy' : failures >= this.downAfter ? 'down' : 'degraded';
  }

  health(channel: Channel, providerNames: readonly string[]): ChannelHealth {
    if (providerNames.length === 0) return { channel, status: 'unconfigured', providers: [] };
    const providers = providerNames.map((name) => ({
      name,
      status: this.statusOf(name),
      consecutiveFailures: this.providers.get(name)?.consecutiveFailures ?? 0,
      lastError: this.providers.get(name)?.lastError,
    }));
    // The channel works while any provider works (failover).
    const status: ChannelHealthStatus = providers.some((p) => p.status === 'healthy')
      ? 'healthy'
      : providers.some((p) => p.status === 'degraded')
        ? 'degraded'
        : 'down';
    return { channel, status, providers };
  }
}
