/**
 * The agent of the crash-resume test, shared by the test (to start runs) and the worker processes.
 * Its tools count their side effects in Redis, one hash field per call, with a plain HINCRBY (no
 * guard of their own): a call executed twice shows up as 2.
 *
 * Step 1: `effect(1)`. Step 2: `effect(2)` (parallel-safe, runs and is recorded first) and then
 * `block(3)` (exclusive): in a worker started with `crash: true`, `block` tells the parent and hangs
 * before its side effect, to be SIGKILLed. Step 3: the answer.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { defineAgent } from '../../agent/agent-definition';
import type { CheckpointStore } from '../../ports/checkpoint-store';
import { defineWorkflow, parallel, sequence, task } from '../../workflow/workflow-definition';
import { scriptedModel } from '../../testing';
import { defineTool } from '../../tools/define-tool';

export interface CrashAgentOptions {
  readonly redis: Redis;
  readonly keys: string;
  readonly crash: boolean;
  readonly onBlocked?: (runId: string) => void;
  /** For the workflow: the blocking task waits until its sibling's result is recorded. */
  readonly store?: CheckpointStore;
}

export function crashAgent(options: CrashAgentOptions) {
  const effect = defineTool({
    name: 'effect',
    version: '1',
    description: 'a side effect',
    input: z.object({ n: z.number() }),
    async execute({ n }, context) {
      await options.redis.hincrby(`${options.keys}:effects`, `${context.runId}:effect:${n}`, 1);
      return { done: n };
    },
  });
  const block = defineTool({
    name: 'block',
    version: '1',
    description: 'a side effect after a pause',
    concurrency: 'exclusive',
    input: z.object({ n: z.number() }),
    async execute({ n }, context) {
      await options.redis.hincrby(`${options.keys}:attempts`, `${context.runId}:block:${n}`, 1);
      if (options.crash) {
        options.onBlocked?.(context.runId);
        await new Promise(() => undefined); // this process is about to be SIGKILLed
      }
      await options.redis.hincrby(`${options.keys}:effects`, `${context.runId}:block:${n}`, 1);
      return { done: n };
    },
  });
  const model = scriptedModel('crash-script', (request) => {
    const results = request.messages.filter((message) => message.role === 'tool').length;
    if (results === 0) return { toolCalls: [{ name: 'effect', arguments: { n: 1 } }] };
    if (results === 1) {
      return {
        toolCalls: [
          { name: 'effect', arguments: { n: 2 } },
          { name: 'block', arguments: { n: 3 } },
        ],
      };
    }
    return { content: `finished after ${results} tool results` };
  });
  return defineAgent({
    name: 'crashy',
    promptVersion: '1',
    systemPrompt: 'crash test',
    model,
    tools: [effect, block],
    input: z.object({ question: z.string() }),
  });
}

/**
 * The agent of the after-the-effect crash test: step 1 calls `charge`, a tool that honours its
 * idempotency key (its effect is guarded by the key, as a payment API's `Idempotency-Key` is), and
 * step 2 answers. In a worker started with `crash: true`, `charge` performs its effect, tells the
 * parent and hangs BEFORE returning — so its result is never recorded and the step runs again on
 * another worker. Every key it was given is kept, to compare the two attempts' keys.
 */
export function chargeAgent(options: CrashAgentOptions) {
  const charge = defineTool({
    name: 'charge',
    version: '1',
    description: 'a side effect that honours its idempotency key',
    concurrency: 'exclusive',
    input: z.object({ cents: z.number() }),
    async execute({ cents }, context) {
      await options.redis.rpush(`${options.keys}:keys:${context.runId}`, context.idempotencyKey);
      const first = await options.redis.set(`${options.keys}:charged:${context.idempotencyKey}`, '1', 'NX');
      if (first === 'OK') {
        await options.redis.hincrby(`${options.keys}:effects`, `${context.runId}:charge`, cents);
      }
      if (options.crash) {
        options.onBlocked?.(context.runId);
        await new Promise(() => undefined); // SIGKILLed after the effect, before the record
      }
      return { charged: cents };
    },
  });
  const model = scriptedModel('charge-script', (request) => {
    const results = request.messages.filter((message) => message.role === 'tool').length;
    if (results === 0) return { toolCalls: [{ name: 'charge', arguments: { cents: 250 } }] };
    return { content: `charged after ${results} tool results` };
  });
  return defineAgent({
    name: 'charger',
    promptVersion: '1',
    systemPrompt: 'crash after the effect',
    model,
    tools: [charge],
    input: z.object({ question: z.string() }),
  });
}

/**
 * The workflow of the crash-resume test: `first` → (`second` ‖ `stuck`) → `last`. In a worker
 * started with `crash: true`, `stuck` waits until `second` is recorded, tells the parent and hangs
 * before its side effect.
 */
export function crashWorkflow(options: CrashAgentOptions) {
  const effect = (id: string) =>
    task(id, async ({ runId }) => {
      await options.redis.hincrby(`${options.keys}:effects`, `${runId}:${id}`, 1);
      return id;
    });
  const stuck = task('stuck', async ({ runId, idempotencyKey }) => {
    await options.redis.hincrby(`${options.keys}:attempts`, `${runId}:stuck`, 1);
    if (options.crash) {
      const sibling = idempotencyKey.replace(/:stuck$/, ':second');
      while (!(await options.store?.findToolCall(sibling)))
        await new Promise((resolve) => setTimeout(resolve, 10));
      options.onBlocked?.(runId);
      await new Promise(() => undefined); // this process is about to be SIGKILLed
    }
    await options.redis.hincrby(`${options.keys}:effects`, `${runId}:stuck`, 1);
    return 'stuck';
  });
  return defineWorkflow({
    name: 'crashflow',
    version: '1',
    input: z.object({}),
    root: sequence('main', effect('first'), parallel('both', effect('second'), stuck), effect('last')),
  });
}
