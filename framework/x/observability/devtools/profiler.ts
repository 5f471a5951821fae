import { Session } from 'node:inspector/promises';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

// The only node:inspector use in the framework (a reviewed exception in specs/dependency-rules.yaml):
// the in-process V8 inspector is the one API that produces CPU profiles and heap snapshots.

/** Records a V8 CPU profile of this process for `ms` milliseconds (`.cpuprofile` JSON). */
export async function readCpuProfile(ms: number): Promise<unknown> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await new Promise((resolve) => setTimeout(resolve, ms));
    const { profile } = await session.post('Profiler.stop');
    return profile;
  } finally {
    session.disconnect();
  }
}

/** Streams a V8 heap snapshot (`.heapsnapshot` JSON) chunk by chunk to `write`. */
export async function writeHeapSnapshot(write: (chunk: string) => void): Promise<void> {
  const session = new Session();
  session.connect();
  const onChunk = (m: { params: { chunk: string } }): void => write(m.params.chunk);
  session.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    session.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    session.disconnect();
  }
}

export interface EventLoopStats {
  readonly windowMs: number;
  /** Delay percentiles and extremes in milliseconds (10 ms timer resolution). */
  readonly delayMs: {
    readonly min: number;
    readonly mean: number;
    readonly p50: number;
    readonly p99: number;
    readonly max: number;
  };
  /** Share of the window the loop was busy (0–1). */
  readonly utilization: number;
}

/** Samples event-loop delay and utilisation over `ms` milliseconds (perf_hooks, no inspector). */
export async function readEventLoopStats(ms: number): Promise<EventLoopStats> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  const elu = performance.eventLoopUtilization();
  h.enable();
  await new Promise((resolve) => setTimeout(resolve, ms));
  h.disable();
  const toMs = (ns: number): number => Math.round((ns / 1e6) * 1000) / 1000;
  // No sample in a short window: the histogram's min is its int64 sentinel, not a delay.
  if (h.count === 0)
    return {
      windowMs: ms,
      delayMs: { min: 0, mean: 0, p50: 0, p99: 0, max: 0 },
      utilization: Math.round(performance.eventLoopUtilization(elu).utilization * 10_000) / 10_000,
    };
  // Percentiles are bucket upper bounds and can exceed the largest sample: clamp to [min, max].
  const clamp = (ns: number): number => Math.min(Math.max(ns, h.min), h.max);
  return {
    windowMs: ms,
    delayMs: {
      min: toMs(h.min),
      mean: toMs(h.mean),
      p50: toMs(clamp(h.percentile(50))),
      p99: toMs(clamp(h.percentile(99))),
      max: toMs(h.max),
    },
    utilization: Math.round(performance.eventLoopUtilization(elu).utilization * 10_000) / 10_000,
  };
}
