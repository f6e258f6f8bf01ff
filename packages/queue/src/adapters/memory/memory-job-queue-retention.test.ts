import { MemoryJobQueue } from './memory-job-queue';

describe('MemoryJobQueue retention', () => {
  it('keeps only the newest `keepCompleted` finished jobs, and their idempotency keys with them', async () => {
    const queue = new MemoryJobQueue({ name: 'retention', keepCompleted: 2 });
    const worker = queue.createWorker({ job: async (context) => context.payload });
    await worker.start();
    try {
      const jobs = [];
      for (let i = 0; i < 3; i++) jobs.push(await queue.enqueue('job', i, { idempotencyKey: `key-${i}` }));
      await new Promise<void>((resolve) => {
        const check = async (): Promise<void> => {
          if ((await queue.counts()).completed === 2 && (await queue.counts()).queued === 0) resolve();
          else setTimeout(() => void check(), 5);
        };
        void check();
      });
      expect(await queue.getJob(jobs[0]?.id as string)).toBeUndefined();
      expect((await queue.getJob(jobs[2]?.id as string))?.state).toBe('completed');
      // Past retention, the key no longer deduplicates: a new job is created.
      const again = await queue.enqueue('job', 0, { idempotencyKey: 'key-0' });
      expect(again.id).toBe(jobs[0]?.id);
      expect(again.state).toBe('queued');
    } finally {
      await queue.close();
    }
  });
});
