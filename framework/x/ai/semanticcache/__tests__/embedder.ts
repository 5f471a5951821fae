import type { Embedder } from '../vector.ts';

/** Hand-placed vectors: the cosines the tests rely on are exact, not learned. */
export const VECTORS: Record<string, number[]> = {
  'What is the capital of France?': [1, 0, 0, 0],
  "What's France's capital city?": [0.98, Math.sqrt(1 - 0.98 ** 2), 0, 0], // cosine 0.98
  'Capital of France, roughly?': [0.9, Math.sqrt(1 - 0.9 ** 2), 0, 0], // cosine 0.90
  'Tell me a joke': [0, 0, 1, 0], // cosine 0
};

export interface TableEmbedder extends Embedder {
  calls: string[][];
}

/** A test embedder over `VECTORS`; unknown text gets the fourth axis. */
export function createTableEmbedder(name = 'table'): TableEmbedder {
  const calls: string[][] = [];
  return {
    name,
    calls,
    embed: async (texts) => {
      calls.push([...texts]);
      return texts.map((t) => VECTORS[t] ?? [0, 0, 0, 1]);
    },
  };
}
