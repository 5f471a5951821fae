import { SecurityError } from '../errors.ts';

const DIRECTIVE = /^[a-z][a-z-]*$/;
// A source is one space-separated token; `;` or `,` would start a new directive or policy, and
// whitespace or controls would smuggle extra sources or split the header.
const SOURCE = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/** Directives that take no sources. */
const VALUELESS = new Set(['upgrade-insecure-requests', 'block-all-mixed-content']);

/**
 * Builds a Content-Security-Policy value. Every source is checked when added, so a value with `;`,
 * `,`, whitespace or control characters throws `PLUMEGO_ERR_CSP_INVALID_SOURCE` instead of
 * injecting a directive.
 */
export class CspBuilder {
  readonly #directives = new Map<string, string[]>();

  /** Adds sources to a directive (creating it). Throws on an invalid directive name or source. */
  add(directive: string, ...sources: string[]): this {
    if (!DIRECTIVE.test(directive)) {
      throw new SecurityError('PLUMEGO_ERR_CSP_INVALID_SOURCE', { reason: 'directive', field: 'directive' });
    }
    for (const source of sources) {
      if (!SOURCE.test(source)) {
        throw new SecurityError('PLUMEGO_ERR_CSP_INVALID_SOURCE', { reason: 'source', field: directive });
      }
    }
    const list = this.#directives.get(directive) ?? [];
    for (const source of sources) if (!list.includes(source)) list.push(source);
    this.#directives.set(directive, list);
    return this;
  }

  defaultSrc(...sources: string[]): this {
    return this.add('default-src', ...sources);
  }
  scriptSrc(...sources: string[]): this {
    return this.add('script-src', ...sources);
  }
  styleSrc(...sources: string[]): this {
    return this.add('style-src', ...sources);
  }
  imgSrc(...sources: string[]): this {
    return this.add('img-src', ...sources);
  }
  connectSrc(...sources: string[]): this {
    return this.add('connect-src', ...sources);
  }
  fontSrc(...sources: string[]): this {
    return this.add('font-src', ...sources);
  }
  objectSrc(...sources: string[]): this {
    return this.add('object-src', ...sources);
  }
  mediaSrc(...sources: string[]): this {
    return this.add('media-src', ...sources);
  }
  frameSrc(...sources: string[]): this {
    return this.add('frame-src', ...sources);
  }
  workerSrc(...sources: string[]): this {
    return this.add('worker-src', ...sources);
  }
  frameAncestors(...sources: string[]): this {
    return this.add('frame-ancestors', ...sources);
  }
  baseUri(...sources: string[]): this {
    return this.add('base-uri', ...sources);
  }
  formAction(...sources: string[]): this {
    return this.add('form-action', ...sources);
  }
  sandbox(...tokens: string[]): this {
    return this.add('sandbox', ...tokens);
  }
  reportTo(group: string): this {
    return this.add('report-to', group);
  }
  upgradeInsecureRequests(): this {
    return this.add('upgrade-insecure-requests');
  }

  /** The header value, directives in insertion order. Throws when no directive was added. */
  build(): string {
    if (this.#directives.size === 0) {
      throw new SecurityError('PLUMEGO_ERR_CSP_INVALID_SOURCE', { reason: 'empty' });
    }
    const parts: string[] = [];
    for (const [name, sources] of this.#directives) {
      if (sources.length === 0 && !VALUELESS.has(name) && name !== 'sandbox') {
        throw new SecurityError('PLUMEGO_ERR_CSP_INVALID_SOURCE', { reason: 'no_sources', field: name });
      }
      parts.push(sources.length === 0 ? name : `${name} ${sources.join(' ')}`);
    }
    return parts.join('; ');
  }
}

/** A locked-down policy for APIs and server-rendered pages that load only same-origin assets. */
export function getStrictCsp(): string {
  return new CspBuilder()
    .defaultSrc("'self'")
    .objectSrc("'none'")
    .baseUri("'self'")
    .frameAncestors("'none'")
    .formAction("'self'")
    .build();
}
