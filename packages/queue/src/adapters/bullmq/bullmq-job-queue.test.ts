import { waitFor } from '@ai-scale/testkit';
import { InvalidJobOptionsError, QueueUnavailableError } from '../../errors';
import { BullmqJobQueue } from './bullmq-job-queue';

// Port 1 on loopback: nothing listens there, so every connection attempt is refused.
const UNREACHABLE = 'redis://127.0.0.1:1';

describe('BullmqJobQueue without Redis', () => {
  it('fails calls with QueueUnavailableError after operationTimeoutMs instead of hanging', async () => {
    const queue = new BullmqJobQueue({ name: 'unreachable', redisUrl: UNREACHABLE, operationTimeoutMs: 100 });
    try {
      await expect(queue.enqueue('job', { a: 1 })).rejects.toBeInstanceOf(QueueUnavailableError);
      await expect(queue.enqueue('job', { a: 1 }, { tenantId: 't' })).rejects.toBeInstanceOf(
        QueueUnavailableError,
      );
      await expect(queue.counts()).rejects.toMatchObject({ code: 'QUEUE_UNAVAILABLE', category: 'SYSTEM' });
      await expect(queue.getJob('1')).rejects.toBeInstanceOf(QueueUnavailableError);
    } finally {
      await queue.close();
    }
    await expect(queue.enqueue('job', {})).rejects.toBeInstanceOf(QueueUnavailableError);
  });

  it('tells onError about the connection errors it does not throw (never swallowed silently)', async () => {
    const errors: { kind: string; error: Error }[] = [];
    const queue = new BullmqJobQueue({
      name: 'unreachable',
      redisUrl: UNREACHABLE,
      operationTimeoutMs: 100,
      onError: (event) => errors.push(event),
    });
    try {
      await expect(queue.counts()).rejects.toBeInstanceOf(QueueUnavailableError);
      await waitFor(() => errors.length > 0, { message: 'a reported connection error' });
      expect(errors[0]?.kind).toBe('connection');
      expect(errors[0]?.error.message).toMatch(/ECONNREFUSED/);
    } finally {
      await queue.close();
    }
  });

  it('validates before touching Redis', async () => {
    const queue = new BullmqJobQueue({ name: 'unreachable', redisUrl: UNREACHABLE, operationTimeoutMs: 100 });
    try {
      await expect(queue.enqueue('job', { at: new Date() })).rejects.toBeInstanceOf(InvalidJobOptionsError);
    } finally {
      await queue.close();
    }
  });
});
