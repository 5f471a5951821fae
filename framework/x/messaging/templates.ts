import { assertOption, MESSAGING_ERROR_CODES, MessagingError } from './errors.ts';

export interface MessageTemplate {
  /** Email subject (ignored for SMS); may use `{{variables}}`. */
  readonly subject?: string;
  /** Plain-text body with `{{variables}}`. */
  readonly text: string;
  /** Optional HTML body; variables are HTML-escaped into it. */
  readonly html?: string;
}

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string | undefined;
}

const VARIABLE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Named templates with `{{name}}` placeholders; a missing variable fails the send, never renders blank. */
export class TemplateRegistry {
  private readonly templates = new Map<string, MessageTemplate>();

  constructor(templates: Readonly<Record<string, MessageTemplate>> = {}) {
    for (const [name, t] of Object.entries(templates)) this.set(name, t);
  }

  set(name: string, template: MessageTemplate): void {
    assertOption(NAME.test(name), 'template name', 'must be 1-64 characters of [A-Za-z0-9_.-]');
    assertOption(typeof template.text === 'string' && template.text.length > 0, 'template text', 'is required');
    this.templates.set(name, template);
  }

  names(): string[] {
    return [...this.templates.keys()].sort();
  }

  render(name: string, data: Readonly<Record<string, string | number>> = {}): RenderedMessage {
    const t = this.templates.get(name);
    if (t === undefined)
      throw new MessagingError(MESSAGING_ERROR_CODES.templateNotFound, 'no template with this name', {
        template: name,
      });
    const fill = (text: string, escape: (s: string) => string): string =>
      text.replace(VARIABLE, (_m, key: string) => {
        const value = Object.hasOwn(data, key) ? data[key] : undefined;
        if (value === undefined)
          throw new MessagingError(
            MESSAGING_ERROR_CODES.templateVariableMissing,
            `template variable ${key} is missing`,
            { template: name, variable: key },
          );
        return escape(String(value));
      });
    return {
      subject: fill(t.subject ?? '', (s) => s),
      text: fill(t.text, (s) => s),
      html: t.html === undefined ? undefined : fill(t.html, escapeHtml),
    };
  }
}
