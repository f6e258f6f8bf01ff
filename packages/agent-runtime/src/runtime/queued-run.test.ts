import { z } from 'zod';
import { MemoryJobQueue, type JobQueue } from '@ai-scale/queue';
import { waitFor } from '@ai-scale/testkit';
import { MemoryCheckpointStore } from '../adapters/memory/memory-checkpoint-store';
import { defineAgent } from '../agent/agent-definition';
import { awaitInput } from '../ports/tool';
import { scriptedModel } from '../testing';
import { defineTool } from '../tools/define-tool';
import { AGENT_RUN_JOB, AgentRuntime } from './agent-runtime';

describe('runs as queue jobs (memory queue)', () => {
  const queue = new MemoryJobQueue({ name: 'agent-runs-test' });
  afterAll(() => queue.close());

  it('startRun enqueues the run, a worker runs it to the end, resume enqueues it again', async () => {
    const effects: string[] = [];
    const tool = defineTool({
      name: 'approve',
      version: '1',
      description: 'asks for approval once, then records',
      input: z.object({ ask: z.boolean() }),
      async execute({ ask }, context) {
        effects.push(context.idempotencyKey);
        return ask ? awaitInput('ok?') : 'recorded';
      },
    });
    const model = scriptedModel(
      'm',
      (_request, call) =>
        [
          { toolCalls: [{ name: 'approve', arguments: { ask: true } }] },
          { toolCalls: [{ name: 'approve', arguments: { ask: false } }] },
          { content: 'done' },
        ][call]!,
    );
    const definition = defineAgent({
      name: 'queued',
      promptVersion: '1',
      systemPrompt: 's',
      model,
      tools: [tool],
      input: z.object({ question: z.string() }),
    });
    const store = new MemoryCheckpointStore();
    const runtime = new AgentRuntime({ store, queue, agents: [definition] });
    const worker = queue.createWorker(runtime.jobHandlers());
    await worker.start();
    try {
      const started = await runtime.startRun('queued', { question: 'q' }, { tenantId: 'acme' });
      expect(started.status).toBe('queued');
      await waitFor(async () => (await runtime.getRun(started.runId)).status === 'paused', {
        message: 'the pause',
      });
      await runtime.resume(started.runId, 'yes');
      await waitFor(async () => (await runtime.getRun(started.runId)).status === 'succeeded', {
        message: 'the end',
      });
      expect(effects).toEqual([`${started.runId}:1:0`, `${started.runId}:2:0`]);
      const counts = await queue.counts();
      expect(counts.completed).toBe(2);
      expect(AGENT_RUN_JOB).toBe('agent.run');
    } finally {
      await worker.close();
    }
  });

  it('fails a run that could not be queued, and keeps a run paused when its resume could not be queued', async () => {
    let down = true;
    const flaky: Pick<JobQueue, 'enqueue'> = {
      enqueue: (name, payload, options) =>
        down
          ? Promise.reject(Object.assign(new Error('redis is down'), { code: 'QUEUE_UNAVAILABLE' }))
          : queue.enqueue(name, payload, options),
    };
    const model = scriptedModel('m', () => ({ toolCalls: [{ name: 'ask', arguments: {} }] }));
    const ask = defineTool({
      name: 'ask',
      version: '1',
      description: 'asks',
      input: z.object({}),
      execute: async () => awaitInput('?'),
    });
    const definition = defineAgent({
      name: 'flaky',
      promptVersion: '1',
      systemPrompt: 's',
      model,
      tools: [ask],
      input: z.object({}),
    });
    const store = new MemoryCheckpointStore();
    const runtime = new AgentRuntime({ store, queue: flaky, agents: [definition] });

    await expect(runtime.startRun('flaky', {}, { runId: 'lost' })).rejects.toThrow('redis is down');
    expect(await runtime.getRun('lost')).toMatchObject({
      status: 'failed',
      stopReason: 'step_failed',
      error: { code: 'AGENT_STEP_FAILED' },
    });

    down = false;
    const started = await runtime.startRun('flaky', {});
    expect((await runtime.processRun(started.runId)).status).toBe('paused');
    down = true;
    await expect(runtime.resume(started.runId, 'yes')).rejects.toThrow('redis is down');
    expect(await runtime.getRun(started.runId)).toMatchObject({ status: 'paused', resumeInput: null });
  });

  it('with stepsPerJob: 1, runs one step per job, each continuing from the checkpoint', async () => {
    const model = scriptedModel('m', (_request, call) =>
      call < 3 ? { toolCalls: [{ name: 'count', arguments: { n: call } }] } : { content: 'done' },
    );
    const count = defineTool({
      name: 'count',
      version: '1',
      description: 'c',
      input: z.object({ n: z.number() }),
      execute: async ({ n }) => n,
    });
    const definition = defineAgent({
      name: 'stepwise',
      promptVersion: '1',
      systemPrompt: 's',
      model,
      tools: [count],
      input: z.object({}),
    });
    const jobs = new MemoryJobQueue({ name: 'stepwise' });
    const runtime = new AgentRuntime({
      store: new MemoryCheckpointStore(),
      queue: jobs,
      agents: [definition],
      stepsPerJob: 1,
    });
    const worker = jobs.createWorker(runtime.jobHandlers());
    await worker.start();
    try {
      const started = await runtime.startRun('stepwise', {});
      await waitFor(async () => (await runtime.getRun(started.runId)).status === 'succeeded', {
        message: 'the end',
      });
      expect(await runtime.getRun(started.runId)).toMatchObject({ steps: 4, toolCalls: 3 });
      expect((await jobs.counts()).completed).toBe(4);
    } finally {
      await worker.close();
      await jobs.close();
    }
  });
});
