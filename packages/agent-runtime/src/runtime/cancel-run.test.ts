import { z } from 'zod';
import { MemoryJobQueue } from '@ai-scale/queue';
import { MemoryCheckpointStore } from '../adapters/memory/memory-checkpoint-store';
import { defineAgent } from '../agent/agent-definition';
import { RunAlreadyFinishedError } from '../errors';
import { scriptedModel } from '../testing';
import { defineTool } from '../tools/define-tool';
import { AgentRuntime } from './agent-runtime';

/** A tool that runs until its signal aborts, telling the test when it started and why it stopped. */
function blockingTool(events: { started: () => void; aborted: (reason: unknown) => void }) {
  return defineTool({
    name: 'wait',
    version: '1',
    description: 'Waits for its signal',
    input: z.object({}),
    timeoutMs: 60_000,
    execute: (_args, context) =>
      new Promise<{ done: boolean }>((_resolve, reject) => {
        events.started();
        context.signal.addEventListener('abort', () => {
          events.aborted(context.signal.reason);
          reject(context.signal.reason as Error);
        });
      }),
  });
}

async function waitFor(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('AgentRuntime.cancel', () => {
  it('aborts the in-flight tool call through the queue, ends the run cancelled and never runs it again', async () => {
    const queue = new MemoryJobQueue({ name: 'agents-cancel' });
    const store = new MemoryCheckpointStore();
    let started = false;
    let abortReason: unknown;
    const model = scriptedModel('m', (_request, call) =>
      call === 0
        ? {
            toolCalls: [{ name: 'wait', arguments: {} }],
            usage: { inputTokens: 10, outputTokens: 2, costUsd: 0.01 },
          }
        : { content: 'never', usage: { inputTokens: 1, outputTokens: 1 } },
    );
    const runtime = new AgentRuntime({
      store,
      queue,
      agents: [
        defineAgent({
          name: 'waiter',
          promptVersion: 'p1',
          systemPrompt: 'wait',
          model,
          tools: [
            blockingTool({ started: () => (started = true), aborted: (reason) => (abortReason = reason) }),
          ],
          input: z.object({}),
        }),
      ],
    });
    const worker = queue.createWorker(runtime.jobHandlers());
    await worker.start();
    try {
      const run = await runtime.startRun('waiter', {}, { tenantId: 't1' });
      await waitFor(() => started);
      const cancelled = await runtime.cancel(run.runId);
      expect(cancelled).toMatchObject({ status: 'cancelled', stopReason: 'cancelled' });
      await waitFor(() => abortReason !== undefined);
      expect((abortReason as { code?: string }).code).toBe('JOB_CANCELLED');
      await waitFor(async () => (await queue.getJob(cancelled.jobId ?? ''))?.state === 'cancelled');

      // Idempotent, and final: processing it again (a redelivered job) does nothing.
      expect((await runtime.cancel(run.runId)).status).toBe('cancelled');
      const again = await runtime.processRun(run.runId);
      expect(again.status).toBe('cancelled');
      expect(model.calls).toHaveLength(1);
      expect(await store.listSteps(run.runId)).toEqual([]);
      await expect(runtime.resume(run.runId, 'x')).rejects.toMatchObject({ code: 'RUN_NOT_RESUMABLE' });
    } finally {
      await worker.close({ deadlineMs: 1_000 });
      await queue.close();
    }
  });

  it('cancels a queued run before it starts (it never calls the model) and refuses a finished one', async () => {
    const store = new MemoryCheckpointStore();
    const model = scriptedModel('m', () => ({ content: 'done' }));
    const runtime = new AgentRuntime({
      store,
      agents: [
        defineAgent({
          name: 'quick',
          promptVersion: 'p1',
          systemPrompt: 's',
          model,
          tools: [],
          input: z.object({}),
        }),
      ],
    });
    const queued = await runtime.startRun('quick', {}, { tenantId: 't1' });
    await runtime.cancel(queued.runId);
    expect((await runtime.processRun(queued.runId)).status).toBe('cancelled');
    expect(model.calls).toHaveLength(0);

    const finished = await runtime.startRun('quick', {}, { tenantId: 't1' });
    expect((await runtime.processRun(finished.runId)).status).toBe('succeeded');
    await expect(runtime.cancel(finished.runId)).rejects.toBeInstanceOf(RunAlreadyFinishedError);
  });
});
