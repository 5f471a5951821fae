/**
 * The history file the charts read. This repository commits src/data/history.generated.json (CI's
 * shallow clone has no history to read); `plumego site` writes one for an adopter's build. The page
 * degrades to a visible note when the file is missing or says history was unavailable.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { SiteHistory } from '../data/plumego.generated.types.ts';

export type HistoryState =
  { readonly ok: true; readonly history: SiteHistory } | { readonly ok: false; readonly note: string };

export function readHistory(file: string | undefined = process.env['PLUMEGO_SITE_HISTORY']): HistoryState {
  if (!file || !existsSync(file))
    return {
      ok: false,
      note: 'No history file was given to this build. Run `npx plumego site --write-history docs-site/src/data/history.generated.json` and commit it.',
    };
  const history = JSON.parse(readFileSync(file, 'utf8')) as SiteHistory;
  if (!history.available)
    return {
      ok: false,
      note: `History could not be read when this site was built: ${history.reason ?? 'no reason given'}.`,
    };
  if (history.points.length === 0) return { ok: false, note: 'The repository has no commits to chart yet.' };
  return { ok: true, history };
}

/** Tier ids in the order the charts draw them: the site's tiers first, then any id only history knows. */
export function tierOrder(history: SiteHistory, known: readonly string[]): string[] {
  const seen = new Set(history.points.flatMap((p) => Object.keys(p.tiers)));
  return [...known.filter((t) => seen.has(t)), ...[...seen].filter((t) => !known.includes(t)).sort()];
}
