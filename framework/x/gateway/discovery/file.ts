import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { ServiceDiscovery, TargetOptions } from 'plumego/x/gateway';
import { TargetFeed } from './listeners.ts';
import { normalizeTargets } from './static.ts';

export interface FileDiscoveryOptions {
  /** JSON file holding an array of URLs or `{ url, weight }` objects. */
  path: string;
  /** Told when the file is missing or invalid; the last valid list stays. Default none. */
  onError?: (error: unknown) => void;
  /** Coalesces bursts of change events (editors write in steps). Default 50 ms. */
  debounceMs?: number;
}

export interface FileDiscovery extends ServiceDiscovery {
  /** Re-reads the file now. */
  reload(): Promise<void>;
}

/**
 * Targets from a JSON file, re-read when it changes. The directory is watched rather than the file,
 * so an atomic replace (write to a temp file, rename) is seen too.
 */
export function createFileDiscovery(options: FileDiscoveryOptions): FileDiscovery {
  const feed = new TargetFeed();
  const debounceMs = options.debounceMs ?? 50;
  let timer: NodeJS.Timeout | undefined;

  const reload = async (): Promise<void> => {
    try {
      const parsed = JSON.parse(await readFile(options.path, 'utf8')) as unknown;
      if (!Array.isArray(parsed)) throw new TypeError('discovery file must hold a JSON array');
      const targets = normalizeTargets(parsed as (string | TargetOptions)[]);
      if (targets.length === 0) throw new TypeError('discovery file lists no targets');
      feed.publish(targets);
    } catch (error) {
      options.onError?.(error);
    }
  };

  const name = basename(options.path);
  const watcher: FSWatcher = watch(dirname(options.path), (_event, changed) => {
    if (changed !== null && changed !== name) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => void reload(), debounceMs);
  });
  watcher.unref();
  void reload();
  return {
    subscribe: (listener) => feed.subscribe(listener),
    reload,
    close: () => {
      if (timer !== undefined) clearTimeout(timer);
      watcher.close();
      feed.clear();
    },
  };
}
