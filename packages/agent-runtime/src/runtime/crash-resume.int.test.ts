import { type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { openDatabase, Tenant } from '@ai-scale/persistence';
import { BullmqJobQueue } from '@ai-scale/queue/bullmq';
import {
  createThrowawayPostgresDatabase,
  describeWithRedisAndPostgres,
  redisUrl,
  uniqueName,
  waitFor,
  type ThrowawayDatabase,
  deleteRedisKeys,
  exited,
  forkTypeScript,
  nextMessage,
} from '@ai-scale/testkit';
import type { DataSource } from 'typeorm';
import { TypeormCheckpointStore } from '../adapters/typeorm';
import { AgentRuntime } from './agent-runtime';
import { chargeAgent, crashAgent, crashWorkflow } from './__fixtures__/crash-agent';
import { idempotencyKeyOf } from './tool-calls';

type ChildMessage = { type: 'ready' } | { type: 'blocked'; runId: string };

describeWithRedisAndPostgres(
  'crash-resume: a SIGKILLed worker (BullMQ on Redis, checkpoints in PostgreSQL)',
  () => {
    const prefix = uniqueName('aiscale_agent_crash');
    const queueName = uniqueName('agent_runs');
    const keys = `${prefix}:test`;
    const redis = new Redis(redisUrl());
    const producer = new BullmqJobQueue({ name: queueName, redisUrl: redisUrl(), prefix });
    const children: ChildProcess[] = [];
    let database: ThrowawayDatabase;
    let dataSource: DataSource;
    let runtime: AgentRuntime;
    let tenantId: string;

    beforeAll(async () => {
      database = await createThrowawayPostgresDatabase('agent_crash');
      dataSource = await openDatabase({ url: database.url, poolSize: 2 });
      const tenants = dataSource.getRepository(Tenant);
      tenantId = (await tenants.save(tenants.create({ name: 'crash test' }))).id;
      runtime = new AgentRuntime({
        store: new TypeormCheckpointStore({ dataSource }),
        queue: producer,
        agents: [crashAgent({ redis, keys, crash: false }), chargeAgent({ redis, keys, crash: false })],
        workflows: [crashWorkflow({ redis, keys, crash: false })],
      });
    });

    afterAll(async () => {
      for (const child of children)
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await Promise.all(children.map(exited));
      await producer.close();
      await dataSource?.destroy();
      await database?.drop();
      await deleteRedisKeys(`${prefix}:*`);
      await redis.quit();
    }, 30_000);

    function startWorker(crash: boolean): ChildProcess {
      const config = JSON.stringify({
        redisUrl: redisUrl(),
        prefix,
        queueName,
        keys,
        databaseUrl: database.url,
        crash,
      });
      const child = forkTypeScript(join(__dirname, '__fixtures__', 'run-worker.ts'), [config], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(child);
      return child;
    }

    it('resumes the run on another worker from the last checkpoint; every tool call has its side effect once', async () => {
      const doomed = startWorker(true);
      await nextMessage<ChildMessage>(doomed, 'ready');
      const started = await runtime.startRun('crashy', { question: 'survive?' }, { tenantId });
      const blocked = (await nextMessage<ChildMessage>(doomed, 'blocked')) as { runId: string };
      expect(blocked.runId).toBe(started.runId);

      // Mid-step 2: step 1 is checkpointed, effect(2) is executed and recorded, block(3) hangs.
      const before = await runtime.getRun(started.runId);
      expect(before).toMatchObject({ status: 'running', steps: 1 });
      doomed.kill('SIGKILL');
      await exited(doomed);

      const rescuer = startWorker(false);
      await nextMessage<ChildMessage>(rescuer, 'ready');
      await waitFor(async () => (await runtime.getRun(started.runId)).status === 'succeeded', {
        timeoutMs: 20_000,
        message: 'the run to finish on the second worker',
      });

      const run = await runtime.getRun(started.runId);
      expect(run).toMatchObject({
        status: 'succeeded',
        steps: 3,
        toolCalls: 3,
        output: { answer: 'finished after 3 tool results' },
      });
      expect(await redis.hgetall(`${keys}:effects`)).toEqual({
        [`${run.runId}:effect:1`]: '1',
        [`${run.runId}:effect:2`]: '1',
        [`${run.runId}:block:3`]: '1',
      });
      // `block` was started twice (the first attempt died before its side effect), `effect(2)` once.
      expect(await redis.hget(`${keys}:attempts`, `${run.runId}:block:3`)).toBe('2');
      const steps = await runtime.listSteps(run.runId);
      expect(steps.map((step) => step.step)).toEqual([1, 2, 3]);
      expect(steps[1]!.summary).toMatchObject({
        toolCalls: [
          { name: 'effect', replayed: true },
          { name: 'block', replayed: false },
        ],
      });
      // Only the next test's own workers may take its jobs.
      rescuer.kill('SIGTERM');
      await exited(rescuer);
    }, 40_000);

    it('a crash after a tool effect and before its record runs the tool again with the same idempotency key: a tool that honours it does not repeat the effect', async () => {
      const doomed = startWorker(true);
      await nextMessage<ChildMessage>(doomed, 'ready');
      const started = await runtime.startRun('charger', { question: 'charge once' }, { tenantId });
      await nextMessage<ChildMessage>(doomed, 'blocked');
      // The effect is done; the call is not recorded (the tool has not returned).
      expect(await redis.hget(`${keys}:effects`, `${started.runId}:charge`)).toBe('250');
      expect(await runtime.getRun(started.runId)).toMatchObject({ status: 'running', toolCalls: 0 });
      doomed.kill('SIGKILL');
      await exited(doomed);

      const rescuer = startWorker(false);
      await nextMessage<ChildMessage>(rescuer, 'ready');
      await waitFor(async () => (await runtime.getRun(started.runId)).status === 'succeeded', {
        timeoutMs: 20_000,
        message: 'the run to finish on the second worker',
      });
      expect(await runtime.getRun(started.runId)).toMatchObject({
        status: 'succeeded',
        toolCalls: 1,
        output: { answer: 'charged after 1 tool results' },
      });
      // The tool ran twice (at-least-once), both times with the key of step 1, call 0 — so the
      // effect it guards by that key happened once.
      const given = await redis.lrange(`${keys}:keys:${started.runId}`, 0, -1);
      expect(given).toEqual([idempotencyKeyOf(started.runId, 1, 0), idempotencyKeyOf(started.runId, 1, 0)]);
      expect(await redis.hget(`${keys}:effects`, `${started.runId}:charge`)).toBe('250');
      rescuer.kill('SIGTERM');
      await exited(rescuer);
    }, 40_000);

    it('resumes a workflow the same way: the parallel sibling recorded before the crash does not run again', async () => {
      const doomed = startWorker(true);
      await nextMessage<ChildMessage>(doomed, 'ready');
      const started = await runtime.startRun('crashflow', {}, { tenantId });
      await nextMessage<ChildMessage>(doomed, 'blocked');
      expect(await runtime.getRun(started.runId)).toMatchObject({ status: 'running', steps: 1 });
      doomed.kill('SIGKILL');
      await exited(doomed);

      const rescuer = startWorker(false);
      await nextMessage<ChildMessage>(rescuer, 'ready');
      await waitFor(async () => (await runtime.getRun(started.runId)).status === 'succeeded', {
        timeoutMs: 20_000,
        message: 'the workflow to finish on the second worker',
      });
      const effects = await redis.hgetall(`${keys}:effects`);
      const mine = Object.fromEntries(
        Object.entries(effects).filter(([key]) => key.startsWith(started.runId)),
      );
      expect(mine).toEqual({
        [`${started.runId}:first`]: '1',
        [`${started.runId}:second`]: '1',
        [`${started.runId}:stuck`]: '1',
        [`${started.runId}:last`]: '1',
      });
      const steps = await runtime.listSteps(started.runId);
      expect(steps[1]!.summary).toMatchObject({
        tasks: [
          { id: 'second', replayed: true },
          { id: 'stuck', replayed: false },
        ],
      });
      rescuer.kill('SIGTERM');
      await exited(rescuer);
    }, 40_000);
  },
);
