/**
 * Upstream requests of streams waiting for their turn, sent one per event-loop turn in the order they were asked.
 *
 * Sending a streaming request through a vendor SDK is several hundred microseconds of synchronous work (request
 * options, headers, the SDK's promise chain, node:http). When many streams start at once — a burst of users, or a
 * fallback moving many streams to another provider — sending them all in one go keeps the event loop busy for the
 * whole burst, and every chunk of the streams already running waits behind it (bench/ai/README.md, "Stream set-up
 * turns"). One send per turn lets the loop relay what has arrived between two sends; the total work is the same.
 */
const waiting: (() => void)[] = [];
let next = 0;
let scheduled = false;

function sendOne(): void {
  scheduled = false;
  const job = waiting[next]!;
  waiting[next++] = noop;
  if (next === waiting.length) {
    waiting.length = 0;
    next = 0;
  } else {
    // An immediate scheduled from an immediate runs on the next turn, after the loop polled for I/O.
    scheduled = true;
    setImmediate(sendOne);
  }
  job();
}

function noop(): void {}

/** Runs `send` on a later event-loop turn, after the sends asked before it. `send` must not throw. */
export function sendInTurn(send: () => void): void {
  waiting.push(send);
  if (!scheduled) {
    scheduled = true;
    setImmediate(sendOne);
  }
}

/** `sendInTurn` for an async caller: resolves on the turn. */
export function turn(): Promise<void> {
  return new Promise((resolve) => sendInTurn(resolve));
}
