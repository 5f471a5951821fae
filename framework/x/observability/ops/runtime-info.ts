import { performance } from 'node:perf_hooks';

/** What the build says about itself; every field is optional and passed through as given. */
export interface BuildInfo {
  readonly name?: string;
  readonly version?: string;
  readonly commit?: string;
  readonly builtAt?: string;
}

export interface RuntimeStats {
  readonly uptimeSeconds: number;
  readonly node: string;
  readonly memory: {
    readonly rss: number;
    readonly heapTotal: number;
    readonly heapUsed: number;
    readonly external: number;
    readonly arrayBuffers: number;
  };
  readonly cpu: { readonly userMicros: number; readonly systemMicros: number };
  /** Share of time the event loop was busy since the process started (0–1). */
  readonly eventLoopUtilization: number;
  /** Open handles and requests by type (sockets, timers, file handles…). */
  readonly activeResources: Readonly<Record<string, number>>;
}

/** A snapshot of the process: no environment, arguments, paths or addresses. */
export function getRuntimeStats(): RuntimeStats {
  const m = process.memoryUsage();
  const c = process.cpuUsage();
  const resources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) resources[type] = (resources[type] ?? 0) + 1;
  return {
    uptimeSeconds: Math.round(process.uptime() * 1000) / 1000,
    node: process.version,
    memory: {
      rss: m.rss,
      heapTotal: m.heapTotal,
      heapUsed: m.heapUsed,
      external: m.external,
      arrayBuffers: m.arrayBuffers,
    },
    cpu: { userMicros: c.user, systemMicros: c.system },
    eventLoopUtilization: Math.round(performance.eventLoopUtilization().utilization * 10_000) / 10_000,
    activeResources: resources,
  };
}
