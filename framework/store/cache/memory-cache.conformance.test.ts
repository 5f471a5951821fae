import { describe, it } from 'vitest';
import { describeCacheConformance } from '../conformance/cache-suite.ts';
import { MemoryCache } from './memory-cache.ts';

// The conformance suite every Cache runs (x/data/cache runs it on Redis too).
describeCacheConformance({ describe, it }, { name: 'MemoryCache', open: () => new MemoryCache() });
