/** In-process pubsub vs a bare EventEmitter: 1 publisher, 4 subscribers, the same delivery work. */
import { EventEmitter } from 'node:events';
import { InProcessBroker } from 'plumego/x/messaging/pubsub';

export interface Throughput {
  readonly messages: number;
  readonly seconds: number;
  readonly msgsPerSec: number;
  readonly deliveriesPerSec: number;
}

const SUBSCRIBERS = 4;
const payload = new TextEncoder().encode('{"id":1,"k":"small"}');

export async function runEventEmitter(messages: number): Promise<Throughput> {
  const ee = new EventEmitter();
  ee.setMaxListeners(0);
  let work = 0;
  for (let i = 0; i < SUBSCRIBERS; i++)
    ee.on('orders.created', (data: Uint8Array) => {
      work += data.byteLength;
    });
  const start = performance.now();
  for (let i = 0; i < messages; i++) ee.emit('orders.created', payload);
  const seconds = (performance.now() - start) / 1000;
  if (work !== messages * SUBSCRIBERS * payload.byteLength) throw new Error('EventEmitter lost deliveries');
  return { messages, seconds, msgsPerSec: messages / seconds, deliveriesPerSec: (messages * SUBSCRIBERS) / seconds };
}

/**
 * Publishes without awaiting each message (the broker accepts synchronously while buffers have room),
 * then waits for every delivery. Each handler does exactly what an EventEmitter listener does (adds
 * the payload length), and completion is the same check on both sides (the summed length): a
 * delivery counter in these handlers only was work the EventEmitter side did not do.
 */
export async function runInProcess(messages: number): Promise<Throughput> {
  const broker = new InProcessBroker({ historySize: 0 });
  let work = 0;
  const total = messages * SUBSCRIBERS;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    await broker.subscribe(
      'orders.created',
      (m) => {
        work += m.data.byteLength;
      },
      { bufferSize: 1_000_000 },
    );
  }
  const expected = total * payload.byteLength;
  const start = performance.now();
  for (let i = 0; i < messages; i++) void broker.publish('orders.created', payload);
  // Deliveries the broker queued instead of running in line finish on later turns of the loop; the
  // clock runs until they have (none are queued here, so this normally does not wait at all).
  for (let turns = 0; work < expected; turns++) {
    if (turns > 10_000_000) throw new Error('in-process broker lost deliveries');
    await new Promise(setImmediate);
  }
  const seconds = (performance.now() - start) / 1000;
  await broker.close();
  if (work !== expected) throw new Error('in-process broker lost deliveries');
  return { messages, seconds, msgsPerSec: messages / seconds, deliveriesPerSec: total / seconds };
}
