/**
 * The guides, in reading order. Each is src/content/docs/guides/<slug>.mdx; the sidebar and the
 * guides test (every code block compiled or run) both read this list, so a guide cannot be left out of either.
 */
export interface Guide {
  readonly slug: string;
  readonly title: string;
}

export const GUIDES: readonly Guide[] = [
  { slug: 'control-plane', title: 'Start: the control plane on your repository' },
  { slug: 'service', title: 'Start: a service' },
  { slug: 'tiers', title: 'Tiers and promotion' },
  { slug: 'boundaries', title: 'Boundaries and baselines' },
  { slug: 'task-routing', title: 'Task routing' },
  { slug: 'middleware-order', title: 'The canonical middleware order' },
  { slug: 'errors', title: 'Error envelope and codes' },
];
