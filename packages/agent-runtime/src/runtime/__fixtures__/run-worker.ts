/**
 * One worker process of the crash-resume test (forked by crash-resume.int.test.ts): a BullMQ
 * worker running agent runs from PostgreSQL checkpoints. With `crash: true` its `block` tool hangs
 * and reports `blocked`, so the parent can SIGKILL it mid-step. SIGTERM: graceful shutdown.
 */
import { Redis } from 'ioredis';
import { openDatabase } from '@ai-scale/persistence';
import { BullmqJobQueue } from '@ai-scale/queue/bullmq';
import { TypeormCheckpointStore } from '../../adapters/typeorm';
import { AgentRuntime } from '../agent-runtime';
import { chargeAgent, crashAgent, crashWorkflow } from './crash-agent';

interface Config {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly queueName: string;
  readonly keys: string;
  readonly databaseUrl: string;
  readonly crash: boolean;
}

const config = JSON.parse(process.argv[2] as string) as Config;

async function main(): Promise<void> {
  const redis = new Redis(config.redisUrl);
  const dataSource = await openDatabase({ url: config.databaseUrl, poolSize: 2 });
  const queue = new BullmqJobQueue({
    name: config.queueName,
    redisUrl: config.redisUrl,
    prefix: config.prefix,
  });
  const store = new TypeormCheckpointStore({ dataSource });
  const options = {
    redis,
    keys: config.keys,
    crash: config.crash,
    store,
    onBlocked: (runId: string) => process.send?.({ type: 'blocked', runId }),
  };
  const runtime = new AgentRuntime({
    store,
    agents: [crashAgent(options), chargeAgent(options)],
    workflows: [crashWorkflow(options)],
  });
  const worker = queue.createWorker(runtime.jobHandlers(), {
    concurrency: 2,
    lockDurationMs: 1_000,
    stalledIntervalMs: 300,
    maxStalledCount: 2,
  });
  process.on('SIGTERM', () => {
    void (async () => {
      await worker.close({ deadlineMs: 2_000 });
      await queue.close();
      await dataSource.destroy();
      await redis.quit();
      process.exit(0);
    })();
  });
  await worker.start();
  process.send?.({ type: 'ready' });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
