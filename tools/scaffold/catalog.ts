/** A project template of `plumego new`: a folder under templates/ laid over templates/_common/. */
export interface TemplateInfo {
  readonly name: string;
  /** One line for `plumego new --help`. */
  readonly summary: string;
  /** Package subpaths the generated code imports beyond the stable roots; the template is refused when one is not exported. */
  readonly requires: readonly string[];
  /** Template folders laid down first (after _common); this template's own files replace theirs. */
  readonly extends?: readonly string[];
  /** Output files of the base templates this one does not use. */
  readonly omit?: readonly string[];
}

/**
 * The templates, each the shape of a reference service. A family's template is listed once the
 * family is implemented and exported.
 */
export const TEMPLATES: readonly TemplateInfo[] = [
  { name: 'minimal', summary: 'one app, two routes and their tests', requires: [] },
  {
    name: 'standard',
    summary:
      'the canonical shape: config, the default middleware stack, health and a resource (reference/standard-service)',
    requires: [],
  },
  {
    name: 'api',
    summary: 'standard plus JSON validation (x/validate) and an OpenAPI document from the route table (x/openapi)',
    requires: ['./x/validate', './x/openapi'],
    extends: ['standard'],
  },
  {
    name: 'production',
    summary:
      'standard plus strict security headers, abuse limiting, JWT-protected writes and request metrics (reference/production-service)',
    requires: [],
    extends: ['standard'],
  },
  {
    name: 'websocket',
    summary: 'standard plus room chat over WebSocket with token and origin checks (x/websocket)',
    requires: ['./x/websocket'],
    extends: ['standard'],
    omit: ['src/items.ts'],
  },
  {
    name: 'events',
    summary:
      'orders as events: publish on an x/messaging broker, fulfil in a subscriber with redelivery and a dead-letter subject',
    requires: ['./x/messaging/pubsub'],
    extends: ['standard'],
    omit: ['src/items.ts'],
  },
  {
    name: 'gateway',
    summary: 'an edge gateway: /api forwarded to upstream backends with retries and forwarded headers (x/gateway)',
    requires: ['./x/gateway'],
    extends: ['standard'],
    omit: ['src/items.ts'],
  },
];

export const COMMON_TEMPLATE = '_common';
