import {
  describeWithRedisCluster,
  startRedisCluster,
  uniqueName,
  type RedisCluster,
} from '@ai-scale/testkit';
import { Cluster } from 'ioredis';
import { InvalidQueueOptionsError } from '../../errors';
import { jobQueueContract } from '../../testing';
import { BullmqJobQueue } from './bullmq-job-queue';
import type { BullmqJobWorker } from './bullmq-job-worker';

// The whole contract on a real 3-master Redis Cluster: BullMQ's scripts, the tenant-fairness
// counters, idempotent ids, dead-letters and the event stream must all stay inside one hash slot,
// or Redis answers CROSSSLOT and the suite fails.
describeWithRedisCluster('BullmqJobQueue (3-master Redis Cluster)', () => {
  let cluster: RedisCluster;
  const queueNames: string[] = [];

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);

  jobQueueContract(
    { describe, it, beforeAll, afterAll, afterEach },
    {
      createQueue: () => {
        const name = uniqueName('contract');
        queueNames.push(name);
        return new BullmqJobQueue({ name, redis: { clusterNodes: cluster.nodes } });
      },
      crashWorker: (worker) => (worker as BullmqJobWorker).simulateCrash(),
    },
  );

  it('keeps every key of a queue in the {ai-scale} slot, on one master', async () => {
    const client = new Cluster(cluster.nodes.map(({ host, port }) => ({ host, port })));
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      const owners: number[] = [];
      for (const node of client.nodes('master')) {
        const keys = await node.keys('*');
        expect(keys.every((key) => key.startsWith('{ai-scale}:'))).toBe(true);
        if (keys.length > 0) owners.push(node.options.port ?? 0);
      }
      expect(queueNames.length).toBeGreaterThan(10);
      expect(owners).toHaveLength(1);
    } finally {
      await client.quit();
    }
  });

  it('refuses a prefix without a hash tag on a Cluster', () => {
    expect(
      () => new BullmqJobQueue({ name: 'x', redis: { clusterNodes: cluster.nodes }, prefix: 'ai-scale' }),
    ).toThrow(InvalidQueueOptionsError);
  });

  afterAll(async () => {
    await cluster?.stop();
  });
});
