import type { StreamEvent } from './types.ts';

/**
 * A `text` event that keeps the vendor's JSON string literal of its text (checked by JSON.parse), so a relay can
 * forward it instead of JSON.stringify-ing the text again. The literal is private: a copy (`{ ...event }`) does
 * not carry it, and once `text` is changed (a redaction filter) it is no longer given out.
 */
export class TextDeltaEvent {
  readonly type = 'text' as const;
  text: string;
  readonly #json: string;
  readonly #decoded: string;

  constructor(text: string, json: string) {
    this.text = text;
    this.#decoded = text;
    this.#json = json;
  }

  static json(event: StreamEvent): string | undefined {
    return #json in event && event.text === event.#decoded ? event.#json : undefined;
  }
}

/**
 * The text of a `text` event as a JSON string literal, as the vendor sent it — or `undefined` when the adapter did
 * not keep it or the text was changed since. `JSON.parse` of it gives `event.text`; it holds no raw line break.
 */
export function textEventJson(event: StreamEvent): string | undefined {
  return event.type === 'text' ? TextDeltaEvent.json(event) : undefined;
}
