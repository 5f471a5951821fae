import { inject } from 'vitest';
import { BullMqTaskQueue } from './bullmq-task-queue.ts';
import { describeQueueConformance } from './__tests__/queue-conformance.ts';

const url = inject('services').redis;

describeQueueConformance({
  name: 'BullMQ (Redis)',
  unavailable: url === null ? 'Redis is not reachable' : false,
  durable: true,
  open: async (ns) => new BullMqTaskQueue({ url: url!, queue: ns, prefix: 'plumego-test' }),
  cleanup: async (ns) => {
    const q = new BullMqTaskQueue({ url: url!, queue: ns, prefix: 'plumego-test' });
    await q.obliterate();
    await q.close();
  },
});
