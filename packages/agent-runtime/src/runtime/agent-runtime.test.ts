import { z } from 'zod';
import { BudgetExceededError } from '@ai-scale/llm-gateway';
import { createInMemoryTelemetry, type InMemoryTelemetry } from '@ai-scale/telemetry/testing';
import { ATTR, METRIC, SPAN } from '@ai-scale/telemetry';
import { MemoryCheckpointStore } from '../adapters/memory/memory-checkpoint-store';
import { defineAgent, type AgentDefinition } from '../agent/agent-definition';
import { AgentRuntimeError, InvalidRunInputError, RunNotFoundError, RunNotResumableError } from '../errors';
import type { AgentModel } from '../ports/agent-model';
import { awaitInput } from '../ports/tool';
import { scriptedModel, type ScriptedTurn } from '../testing';
import { defineTool } from '../tools/define-tool';
import { AgentRuntime } from './agent-runtime';

let telemetry: InMemoryTelemetry;
beforeAll(() => {
  telemetry = createInMemoryTelemetry();
});
afterAll(async () => {
  await telemetry.shutdown();
});

/** A counter tool: each execution is a side effect we can count. */
function lookupTool(
  executions: string[],
  options: { fail?: (attempt: number) => Error | undefined; timeoutMs?: number; maxAttempts?: number } = {},
) {
  return defineTool({
    name: 'lookup',
    version: '1.2.0',
    description: 'Looks a key up',
    input: z.object({ key: z.string().min(1) }),
    timeoutMs: options.timeoutMs,
    retry: options.maxAttempts ? { maxAttempts: options.maxAttempts, backoffMs: 1 } : undefined,
    async execute({ key }, context) {
      executions.push(`${key}@${context.idempotencyKey}#${context.attempt}`);
      const error = options.fail?.(context.attempt);
      if (error) throw error;
      return { key, value: `value of ${key}` };
    },
  });
}

function agent(
  model: AgentModel,
  extra: Partial<AgentDefinition<{ question: string }>> = {},
  executions: string[] = [],
) {
  return defineAgent({
    name: 'tester',
    promptVersion: 'p7',
    systemPrompt: 'You look things up.',
    model,
    temperature: 0,
    seed: 7,
    tools: [lookupTool(executions)],
    input: z.object({ question: z.string() }),
    ...extra,
  });
}

async function runToEnd(definition: AgentDefinition<{ question: string }>, input = { question: 'q?' }) {
  const store = new MemoryCheckpointStore();
  const runtime = new AgentRuntime({ store, agents: [definition] });
  const started = await runtime.startRun(definition.name, input, { tenantId: 't1' });
  const run = await runtime.processRun(started.runId);
  return { store, runtime, run };
}

const callThenAnswer =
  (calls: number): ((request: unknown, call: number) => ScriptedTurn) =>
  (_request, call) =>
    call < calls
      ? {
          toolCalls: [{ name: 'lookup', arguments: { key: `k${call}` } }],
          usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 },
        }
      : { content: 'the answer', usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 } };

describe('AgentRuntime: the run loop', () => {
  it('loops model → tools → model until a final answer, checkpointing every step and recording versions', async () => {
    const executions: string[] = [];
    const model = scriptedModel('model-a', callThenAnswer(2));
    const { run, runtime } = await runToEnd(agent(model, { tools: [lookupTool(executions)] }));
    expect(run).toMatchObject({
      status: 'succeeded',
      stopReason: 'final_answer',
      output: { answer: 'the answer', citations: [] },
      steps: 3,
      toolCalls: 2,
      usage: { modelCalls: 3, inputTokens: 30, outputTokens: 15 },
      versions: {
        model: 'model-a',
        fallbackModel: null,
        lastModelUsed: 'model-a',
        promptVersion: 'p7',
        temperature: 0,
        seed: 7,
        tools: { lookup: '1.2.0' },
      },
    });
    expect(run.usage.costUsd).toBeCloseTo(0.003, 9);
    expect(executions).toEqual([`k0@${run.runId}:1:0#1`, `k1@${run.runId}:2:0#1`]);
    const steps = await runtime.listSteps(run.runId);
    expect(steps.map((step) => step.step)).toEqual([1, 2, 3]);
    // The model saw the tool's result, and its pinned temperature and seed, on every turn.
    expect(model.calls.map((call) => [call.temperature, call.seed])).toEqual([
      [0, 7],
      [0, 7],
      [0, 7],
    ]);
    const lastMessages = model.calls[2]!.messages;
    expect(lastMessages.at(-1)).toEqual({
      role: 'tool',
      toolCallId: 'call_2_0',
      name: 'lookup',
      content: JSON.stringify({ key: 'k1', value: 'value of k1' }),
    });
    expect(model.calls[0]!.tools[0]).toMatchObject({
      name: 'lookup',
      parameters: { type: 'object', properties: { key: { type: 'string' } } },
    });
  });

  it('runs the independent tool calls of one turn in parallel', async () => {
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const slow = defineTool({
      name: 'slow',
      version: '1',
      description: 'waits until all three calls have started',
      input: z.object({ n: z.number() }),
      async execute({ n }) {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => {
          release.push(resolve);
          if (release.length === 3) release.forEach((go) => go());
        });
        running -= 1;
        return n;
      },
    });
    const model = scriptedModel('m', (_request, call) =>
      call === 0
        ? { toolCalls: [1, 2, 3].map((n) => ({ name: 'slow', arguments: { n } })) }
        : { content: 'done' },
    );
    const { run } = await runToEnd(agent(model, { tools: [slow] }));
    expect(run.status).toBe('succeeded');
    expect(peak).toBe(3);
  });

  it('runs exclusive tools one at a time, in the order asked', async () => {
    const order: string[] = [];
    const exclusive = defineTool({
      name: 'write',
      version: '1',
      description: 'writes',
      concurrency: 'exclusive',
      input: z.object({ n: z.number() }),
      async execute({ n }) {
        order.push(`start ${n}`);
        await new Promise((resolve) => setImmediate(resolve));
        order.push(`end ${n}`);
        return n;
      },
    });
    const model = scriptedModel('m', (_request, call) =>
      call === 0
        ? { toolCalls: [1, 2].map((n) => ({ name: 'write', arguments: { n } })) }
        : { content: 'done' },
    );
    await runToEnd(agent(model, { tools: [exclusive] }));
    expect(order).toEqual(['start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('rejects an unknown agent and an invalid input before storing anything', async () => {
    const store = new MemoryCheckpointStore();
    const runtime = new AgentRuntime({
      store,
      agents: [agent(scriptedModel('m', () => ({ content: 'x' })))],
    });
    await expect(runtime.startRun('nobody', {})).rejects.toMatchObject({ code: 'UNKNOWN_AGENT' });
    await expect(runtime.startRun('tester', { question: 3 }, { runId: 'bad' })).rejects.toBeInstanceOf(
      InvalidRunInputError,
    );
    expect(await store.getRun('bad')).toBeNull();
    await expect(runtime.getRun('nope')).rejects.toBeInstanceOf(RunNotFoundError);
  });

  it('returns a finished run unchanged when its job is delivered again', async () => {
    const executions: string[] = [];
    const model = scriptedModel('m', callThenAnswer(1));
    const { run, runtime } = await runToEnd(agent(model, { tools: [lookupTool(executions)] }));
    const again = await runtime.processRun(run.runId);
    expect(again).toEqual(run);
    expect(executions).toHaveLength(1);
    expect(model.calls).toHaveLength(2);
  });
});

describe('AgentRuntime: limits and loop detection', () => {
  it('stops the same tool with the same arguments asked N times (loop_detected)', async () => {
    const executions: string[] = [];
    const model = scriptedModel('m', () => ({ toolCalls: [{ name: 'lookup', arguments: { key: 'same' } }] }));
    await telemetry.reset();
    const { run } = await runToEnd(
      agent(model, { tools: [lookupTool(executions)], limits: { maxRepeatedToolCalls: 3 } }),
    );
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'loop_detected',
      error: { code: 'AGENT_LOOP_DETECTED' },
      steps: 3,
    });
    expect(executions).toHaveLength(2);
    expect(
      await telemetry.metricValue(METRIC.agentRunLoopsDetected, { [ATTR.agentStopKind]: 'loop_detected' }),
    ).toBe(1);
  });

  it('stops when K steps in a row bring no new information (no_progress)', async () => {
    const executions: string[] = [];
    // Different arguments every time, but the same result: nothing new is learnt.
    const constant = defineTool({
      name: 'lookup',
      version: '1',
      description: 'always the same',
      input: z.object({ key: z.string() }),
      async execute({ key }) {
        executions.push(key);
        return 'nothing here';
      },
    });
    const model = scriptedModel('m', (_request, call) => ({
      toolCalls: [{ name: 'lookup', arguments: { key: `k${call}` } }],
    }));
    const { run } = await runToEnd(
      agent(model, { tools: [constant], limits: { maxStepsWithoutProgress: 2, maxRepeatedToolCalls: 99 } }),
    );
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'no_progress',
      error: { code: 'AGENT_LOOP_DETECTED' },
    });
    // Step 1 learns something new; steps 2 and 3 learn nothing.
    expect(executions).toEqual(['k0', 'k1', 'k2']);
  });

  it('stops at the step limit (max_steps) and the tool call limit (max_tool_calls)', async () => {
    const model = scriptedModel('m', (_request, call) => ({
      toolCalls: [{ name: 'lookup', arguments: { key: `k${call}` } }],
    }));
    const { run } = await runToEnd(agent(model, { limits: { maxSteps: 4 } }));
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'max_steps',
      steps: 4,
      error: { code: 'AGENT_STEP_LIMIT' },
    });

    const wide = scriptedModel('m', (_request, call) => ({
      toolCalls: [0, 1, 2].map((index) => ({ name: 'lookup', arguments: { key: `k${call}-${index}` } })),
    }));
    const limited = await runToEnd(agent(wide, { limits: { maxToolCalls: 7 } }));
    expect(limited.run).toMatchObject({ status: 'failed', stopReason: 'max_tool_calls', toolCalls: 6 });
  });

  it('stops when the run spends its token budget (token_budget_exceeded), counting the model usage', async () => {
    const executions: string[] = [];
    const model = scriptedModel('m', (_request, call) => ({
      toolCalls: [{ name: 'lookup', arguments: { key: `k${call}` } }],
      usage: { inputTokens: 80, outputTokens: 20, costUsd: 0.01 },
    }));
    const { run } = await runToEnd(
      agent(model, { tools: [lookupTool(executions)], limits: { maxTokens: 250 } }),
    );
    // 100 tokens per turn: the third turn crosses 250, and its tool calls are not run.
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'token_budget_exceeded',
      error: { code: 'AGENT_BUDGET_EXCEEDED' },
    });
    expect(run.usage).toMatchObject({ modelCalls: 3, inputTokens: 240, outputTokens: 60 });
    expect(executions).toHaveLength(2);
  });

  it('stops on the cost budget (cost_budget_exceeded) and on the gateway refusing the tenant budget', async () => {
    const costly = scriptedModel('m', (_request, call) => ({
      toolCalls: [{ name: 'lookup', arguments: { key: `k${call}` } }],
      usage: { costUsd: 0.4 },
    }));
    const { run } = await runToEnd(agent(costly, { limits: { maxCostUsd: 1 } }));
    expect(run).toMatchObject({ status: 'failed', stopReason: 'cost_budget_exceeded' });

    const refused = scriptedModel('m', () => {
      throw new BudgetExceededError({
        message: 'tenant spent its daily budget',
        tenantId: 't1',
        period: 'day',
        limitUsd: 1,
        spentUsd: 1.2,
      });
    });
    const fallback = scriptedModel('fallback', () => ({ content: 'should not be asked' }));
    const gateway = await runToEnd(agent(refused, { fallbackModel: fallback }));
    expect(gateway.run).toMatchObject({
      status: 'failed',
      stopReason: 'gateway_budget_exceeded',
      error: { code: 'AGENT_BUDGET_EXCEEDED' },
    });
    expect(fallback.calls).toHaveLength(0);
  });

  it('ends a run whose model never answers at its deadline (deadline_exceeded), never hangs', async () => {
    const hanging = scriptedModel('m', () => new Promise<ScriptedTurn>(() => undefined));
    const { run } = await runToEnd(agent(hanging, { limits: { deadlineMs: 50 } }));
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'deadline_exceeded',
      error: { code: 'AGENT_DEADLINE_EXCEEDED' },
    });
  });

  it('checks the deadline before each step with the injected clock', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const store = new MemoryCheckpointStore();
    const model = scriptedModel('m', (_request, call) => {
      now = new Date(now.getTime() + 40_000);
      return { toolCalls: [{ name: 'lookup', arguments: { key: `k${call}` } }] };
    });
    const runtime = new AgentRuntime({
      store,
      agents: [agent(model, { limits: { deadlineMs: 100_000 } })],
      now: () => now,
    });
    const started = await runtime.startRun('tester', { question: 'q' });
    const run = await runtime.processRun(started.runId);
    expect(run).toMatchObject({ status: 'failed', stopReason: 'deadline_exceeded', steps: 3 });
  });
});

describe('AgentRuntime: tools', () => {
  it('sends invalid arguments back to the model as a tool error once, then fails the step', async () => {
    const executions: string[] = [];
    const model = scriptedModel('m', () => ({ toolCalls: [{ name: 'lookup', arguments: { key: '' } }] }));
    const { run, runtime } = await runToEnd(agent(model, { tools: [lookupTool(executions)] }));
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'invalid_tool_arguments',
      error: { code: 'INVALID_TOOL_ARGUMENTS' },
      steps: 2,
    });
    expect(executions).toEqual([]);
    const toolError = model.calls[1]!.messages.at(-1)!;
    expect(toolError).toMatchObject({ role: 'tool', toolCallId: 'call_1_0' });
    expect(JSON.parse(toolError.content)).toMatchObject({ error: 'INVALID_TOOL_ARGUMENTS' });
    const steps = await runtime.listSteps(run.runId);
    expect(steps[0]!.summary).toMatchObject({
      toolCalls: [{ name: 'lookup', outcome: 'invalid_arguments' }],
    });
  });

  it('lets the model correct invalid arguments (or bad JSON, or an unknown tool) after one tool error', async () => {
    const executions: string[] = [];
    const model = scriptedModel(
      'm',
      (_request, call) =>
        [
          { toolCalls: [{ name: 'lookup', arguments: '{"key": ' }] },
          { toolCalls: [{ name: 'lookup', arguments: { key: 'fixed' } }] },
          { toolCalls: [{ name: 'nope', arguments: {} }] },
          { toolCalls: [{ name: 'lookup', arguments: { key: 'again' } }] },
          { content: 'ok' },
        ][call]!,
    );
    const { run } = await runToEnd(agent(model, { tools: [lookupTool(executions)] }));
    expect(run.status).toBe('succeeded');
    expect(executions.map((entry) => entry.split('@')[0])).toEqual(['fixed', 'again']);
    expect(JSON.parse(model.calls[3]!.messages.at(-1)!.content).message).toMatch(/unknown tool "nope"/);
  });

  it('retries retryable tool errors, times out slow tools, and reports final tool errors to the model', async () => {
    const executions: string[] = [];
    const flaky = lookupTool(executions, {
      maxAttempts: 3,
      fail: (attempt) => (attempt < 3 ? Object.assign(new Error('busy'), { isRetryable: true }) : undefined),
    });
    const model = scriptedModel('m', callThenAnswer(1));
    const { run } = await runToEnd(agent(model, { tools: [flaky] }));
    expect(run.status).toBe('succeeded');
    expect(executions.map((entry) => entry.split('#')[1])).toEqual(['1', '2', '3']);

    const never = defineTool({
      name: 'lookup',
      version: '1',
      description: 'never answers',
      input: z.object({ key: z.string() }),
      timeoutMs: 20,
      retry: { maxAttempts: 2, backoffMs: 1 },
      execute: () => new Promise<never>(() => undefined),
    });
    const second = scriptedModel('m', callThenAnswer(1));
    const timedOut = await runToEnd(agent(second, { tools: [never] }));
    expect(timedOut.run.status).toBe('succeeded');
    const reported = JSON.parse(second.calls[1]!.messages.at(-1)!.content);
    expect(reported.error).toMatchObject({ code: 'TOOL_EXECUTION_FAILED' });
    expect(reported.error.message).toMatch(/timed out after 20 ms.*|after 2 attempt/);
  });

  it('never executes a recorded tool call again when a step is re-run (idempotency key)', async () => {
    const executions: string[] = [];
    const store = new MemoryCheckpointStore();
    const model = scriptedModel('m', callThenAnswer(1));
    const definition = agent(model, { tools: [lookupTool(executions)] });
    const runtime = new AgentRuntime({ store, agents: [definition] });
    const started = await runtime.startRun('tester', { question: 'q' });
    // A worker executed and recorded the call of step 1, then died before checkpointing the step.
    await store.recordToolCall({
      idempotencyKey: `${started.runId}:1:0`,
      runId: started.runId,
      step: 1,
      callIndex: 0,
      toolName: 'lookup',
      toolVersion: '1.2.0',
      arguments: { key: 'k0' },
      outcome: 'ok',
      result: { key: 'k0', value: 'recorded before the crash' },
      durationMs: 1,
      createdAt: new Date(),
    });
    const run = await runtime.processRun(started.runId);
    expect(run.status).toBe('succeeded');
    expect(executions).toEqual([]);
    expect(model.calls[1]!.messages.at(-1)!.content).toContain('recorded before the crash');
    const [first] = await runtime.listSteps(run.runId);
    expect(first!.summary).toMatchObject({ toolCalls: [{ replayed: true }] });
  });

  it('continues from the latest checkpoint when a run is processed in several jobs', async () => {
    const executions: string[] = [];
    const store = new MemoryCheckpointStore();
    const model = scriptedModel('m', callThenAnswer(3));
    const runtime = new AgentRuntime({ store, agents: [agent(model, { tools: [lookupTool(executions)] })] });
    const started = await runtime.startRun('tester', { question: 'q' });
    expect(await runtime.processRun(started.runId, { maxSteps: 1 })).toMatchObject({
      status: 'running',
      steps: 1,
    });
    // A new runtime (another worker) over the same store picks it up.
    const other = new AgentRuntime({ store, agents: [agent(model, { tools: [lookupTool(executions)] })] });
    expect(await other.processRun(started.runId, { maxSteps: 2 })).toMatchObject({
      status: 'running',
      steps: 3,
    });
    expect(await other.processRun(started.runId)).toMatchObject({ status: 'succeeded', steps: 4 });
    expect(executions.map((entry) => entry.split('@')[0])).toEqual(['k0', 'k1', 'k2']);
  });
});

describe('AgentRuntime: two workers on one run', () => {
  it('lets the first to checkpoint a step win; the other stops without writing', async () => {
    const store = new MemoryCheckpointStore();
    let releaseSlow: () => void = () => undefined;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    // Worker A's model is slow on step 1; worker B's is fast. Both compute the same turns.
    const script = (slow: boolean) =>
      scriptedModel('m', async (request) => {
        if (slow && request.step === 1) await slowGate;
        const results = request.messages.filter((message) => message.role === 'tool').length;
        return results === 0
          ? { toolCalls: [{ name: 'lookup', arguments: { key: 'a' } }] }
          : { content: 'done' };
      });
    const executions: string[] = [];
    const slowRuntime = new AgentRuntime({
      store,
      agents: [agent(script(true), { tools: [lookupTool(executions)] })],
    });
    const fastRuntime = new AgentRuntime({
      store,
      agents: [agent(script(false), { tools: [lookupTool(executions)] })],
    });
    const started = await slowRuntime.startRun('tester', { question: 'q' });
    const slow = slowRuntime.processRun(started.runId);
    const fast = await fastRuntime.processRun(started.runId);
    expect(fast).toMatchObject({ status: 'succeeded', steps: 2 });
    releaseSlow();
    // A's step 1 finds B's recorded call (no second execution) and loses the checkpoint race.
    expect(await slow).toEqual(fast);
    expect(executions).toHaveLength(1);
    expect((await store.listSteps(started.runId)).map((step) => step.step)).toEqual([1, 2]);
  });
});

describe('AgentRuntime: fallback model', () => {
  it('uses the fallback model for a step when the primary fails, and records it', async () => {
    const primary = scriptedModel('primary', (_request, call) => {
      if (call >= 1) throw new Error('primary is down');
      return { toolCalls: [{ name: 'lookup', arguments: { key: 'a' } }] };
    });
    const fallback = scriptedModel('fallback', () => ({ content: 'answer from the fallback' }));
    const { run, runtime } = await runToEnd(agent(primary, { fallbackModel: fallback }));
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { answer: 'answer from the fallback' },
      versions: { model: 'primary', fallbackModel: 'fallback', lastModelUsed: 'fallback' },
    });
    const steps = await runtime.listSteps(run.runId);
    expect(steps[1]!.summary).toMatchObject({
      fellBack: true,
      model: 'fallback',
      primaryError: { message: 'primary is down' },
    });
  });

  it('fails the run with model_failed when the primary and the fallback both fail', async () => {
    const primary = scriptedModel('primary', () => {
      throw new Error('primary down');
    });
    const fallback = scriptedModel('fallback', () => {
      throw new Error('fallback down');
    });
    const { run } = await runToEnd(agent(primary, { fallbackModel: fallback }));
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'model_failed',
      error: { code: 'AGENT_MODEL_FAILED' },
    });
    expect(run.error!.message).toMatch(/both failed: fallback down/);
  });
});

describe('AgentRuntime: human in the loop', () => {
  it('pauses a run on a tool awaiting input, and resume continues from the checkpoint with the answer', async () => {
    const executions: string[] = [];
    const approve = defineTool({
      name: 'ask_human',
      version: '1',
      description: 'Asks a person to approve',
      input: z.object({ question: z.string() }),
      async execute({ question }) {
        executions.push(question);
        return awaitInput(question, { amount: 120 });
      },
    });
    const model = scriptedModel('m', (request, call) =>
      call === 0
        ? { toolCalls: [{ name: 'ask_human', arguments: { question: 'Refund 120 EUR?' } }] }
        : { content: `human said ${request.messages.at(-1)!.content}` },
    );
    const store = new MemoryCheckpointStore();
    const runtime = new AgentRuntime({ store, agents: [agent(model, { tools: [approve] })] });
    const started = await runtime.startRun('tester', { question: 'refund?' });
    const paused = await runtime.processRun(started.runId);
    expect(paused).toMatchObject({
      status: 'paused',
      stopReason: 'awaiting_input',
      awaiting: { prompt: 'Refund 120 EUR?', data: { amount: 120 } },
    });
    // A paused run's job delivered again does nothing.
    expect(await runtime.processRun(started.runId)).toEqual(paused);
    await expect(runtime.resume('missing', {})).rejects.toBeInstanceOf(RunNotFoundError);

    const resumed = await runtime.resume(started.runId, { approved: true });
    expect(resumed).toMatchObject({ status: 'queued', resumeInput: { approved: true }, awaiting: null });
    const done = await runtime.processRun(started.runId);
    expect(done).toMatchObject({
      status: 'succeeded',
      output: { answer: 'human said {"approved":true}' },
      resumeInput: null,
      steps: 2,
    });
    expect(executions).toEqual(['Refund 120 EUR?']);
    const error = await runtime.resume(started.runId, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RunNotResumableError);
    expect(AgentRuntimeError.isInstance(error)).toBe(true);
  });
});

describe('AgentRuntime: telemetry', () => {
  it('emits invoke_agent and step spans, an execute_tool span per tool call, and the run metrics', async () => {
    await telemetry.reset();
    const model = scriptedModel('m', callThenAnswer(1));
    const { run } = await runToEnd(agent(model));
    const runSpans = telemetry.spansNamed(SPAN.agentRun('tester'));
    const stepSpans = telemetry.spansNamed(SPAN.agentStep);
    expect(runSpans).toHaveLength(1);
    expect(stepSpans).toHaveLength(2);
    expect(stepSpans.every((span) => span.parentSpanId === runSpans[0]!.spanId)).toBe(true);
    expect(runSpans[0]!.attributes).toMatchObject({
      [ATTR.genAiOperationName]: 'invoke_agent',
      [ATTR.agentName]: 'tester',
      [ATTR.agentOutcome]: 'final_answer',
      [ATTR.agentStatus]: 'succeeded',
    });
    const toolSpans = telemetry.finishedSpans().filter((span) => span.name.startsWith('execute_tool '));
    expect(toolSpans).toHaveLength(1);
    expect(toolSpans[0]!.attributes).toMatchObject({ [ATTR.genAiOperationName]: 'execute_tool' });
    expect(toolSpans[0]!.name).toBe(SPAN.executeTool(String(toolSpans[0]!.attributes[ATTR.toolName])));
    expect(stepSpans.map((span) => span.spanId)).toContain(toolSpans[0]!.parentSpanId);
    expect(await telemetry.metricValue(METRIC.agentRunOutcome, { [ATTR.agentOutcome]: 'final_answer' })).toBe(
      1,
    );
    expect(await telemetry.metricValue(METRIC.agentRunSteps)).toBe(1);
    expect(await telemetry.metricValue(METRIC.agentRunDuration)).toBe(1);
    expect(run.steps).toBe(2);
  });
});
