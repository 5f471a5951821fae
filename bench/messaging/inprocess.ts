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

/** Publishes without awaiting each message (the broker accepts synchronously while buffers have room), then waits for every delivery. */
export async function runInProcess(messages: number): Promise<Throughput> {
  const broker = new InProcessBroker({ historySize: 0 });
  let work = 0;
  let delivered = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => {
    done = r;
  });
  const total = messages * SUBSCRIBERS;
  for (let i = 0; i < SUBSCRIBERS; i++) {
    await broker.subscribe(
      'orders.created',
      (m) => {
        work += m.data.byteLength;
        if (++delivered === total) done();
      },
      { bufferSize: 1_000_000 },
    );
  }
  const start = performance.now();
  for (let i = 0; i < messages; i++) void broker.publish('orders.created', payload);
  await all;
  const seconds = (performance.now() - start) / 1000;
  await broker.close();
  if (work !== total * payload.byteLength) throw new Error('in-process broker lost deliveries');
  return { messages, seconds, msgsPerSec: messages / seconds, deliveriesPerSec: total / seconds };
}
