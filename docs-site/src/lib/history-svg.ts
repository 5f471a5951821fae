/**
 * Static SVG charts for the history page, drawn at build time: no chart library reaches the browser.
 * Pure string builders, so tests can check the geometry without a build.
 */
export interface Series {
  readonly label: string;
  /** CSS class of the line (tier colours come from the site's tier-slot classes). */
  readonly className: string;
  /** One value per x position; null leaves a gap. */
  readonly values: readonly (number | null)[];
}

export interface LineChart {
  readonly title: string;
  readonly description: string;
  /** One label per x position (the first, middle and last are drawn). */
  readonly xLabels: readonly string[];
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const round = (n: number): number => Math.round(n * 10) / 10;

/**
 * The y axis: a whole, "nice" step (1, 2 or 5 × 10^k) giving at most four intervals, and the top
 * gridline at the first multiple of it at or above `max`, so every gridline is a round whole number.
 */
export function niceAxis(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power);
  return { top: step * Math.ceil(max / step), step };
}

/** Splits a series into runs of consecutive non-null values (a null is a gap in the line). */
export function segments(values: readonly (number | null)[]): { start: number; values: number[] }[] {
  const runs: { start: number; values: number[] }[] = [];
  values.forEach((v, i) => {
    if (v === null) return;
    const last = runs.at(-1);
    if (last && last.start + last.values.length === i) last.values.push(v);
    else runs.push({ start: i, values: [v] });
  });
  return runs;
}

export function renderLineChart(chart: LineChart, id: string): string {
  const width = chart.width ?? 640;
  const height = chart.height ?? 220;
  const pad = { left: 44, right: 12, top: 12, bottom: 28 };
  const n = chart.xLabels.length;
  const { top: max, step } = niceAxis(
    Math.max(0, ...chart.series.flatMap((s) => s.values.filter((v): v is number => v !== null))),
  );
  const x = (i: number): number => round(pad.left + (n <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (n - 1)));
  const y = (v: number): number => round(height - pad.bottom - (v / max) * (height - pad.top - pad.bottom));
  const grid = Array.from({ length: max / step + 1 }, (_, k) => k * step).map((v) => {
    return `<line class="chart-grid" x1="${pad.left}" x2="${width - pad.right}" y1="${y(v)}" y2="${y(v)}"/><text class="chart-tick" x="${pad.left - 6}" y="${y(v) + 4}" text-anchor="end">${v}</text>`;
  });
  const ticks = [...new Set([0, Math.floor((n - 1) / 2), n - 1])]
    .filter((i) => i >= 0 && i < n)
    .map((i) => {
      const anchor = i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
      return `<text class="chart-tick" x="${x(i)}" y="${height - 8}" text-anchor="${anchor}">${esc(chart.xLabels[i]!)}</text>`;
    });
  const lines = chart.series.map((s) => {
    const paths = segments(s.values).map((run) =>
      run.values.length === 1
        ? `<circle cx="${x(run.start)}" cy="${y(run.values[0]!)}" r="2.5"/>`
        : `<polyline fill="none" points="${run.values.map((v, k) => `${x(run.start + k)},${y(v)}`).join(' ')}"/>`,
    );
    return `<g class="chart-series ${esc(s.className)}" data-series="${esc(s.label)}">${paths.join('')}</g>`;
  });
  return (
    `<svg class="history-chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${id}-title">${esc(chart.title)}</title><desc id="${id}-desc">${esc(chart.description)}</desc>` +
    `${grid.join('')}${ticks.join('')}${lines.join('')}</svg>`
  );
}

/** A small line for one row of a table: no axes, the last value marked. */
export function renderSparkline(values: readonly number[], label: string, width = 120, height = 22): string {
  const max = Math.max(1, ...values);
  const n = values.length;
  const x = (i: number): number => round(n <= 1 ? width / 2 : 2 + (i * (width - 4)) / (n - 1));
  const y = (v: number): number => round(height - 2 - (v / max) * (height - 4));
  const last = values.at(-1) ?? 0;
  return (
    `<svg class="sparkline" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(label)}" xmlns="http://www.w3.org/2000/svg">` +
    (n > 1 ? `<polyline fill="none" points="${values.map((v, i) => `${x(i)},${y(v)}`).join(' ')}"/>` : '') +
    `<circle cx="${x(n - 1)}" cy="${y(last)}" r="2"/></svg>`
  );
}
