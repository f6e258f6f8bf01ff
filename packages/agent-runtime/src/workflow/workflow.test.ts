import { z } from 'zod';
import { MemoryCheckpointStore } from '../adapters/memory/memory-checkpoint-store';
import { InvalidAgentDefinitionError } from '../errors';
import type { JsonValue } from '../ports/json';
import { AgentRuntime } from '../runtime/agent-runtime';
import { branch, defineWorkflow, human, parallel, sequence, task } from './workflow-definition';

function reviewWorkflow(log: string[], options: { failTranslate?: boolean } = {}) {
  const step = (
    id: string,
    value: (results: Readonly<Record<string, JsonValue>>, input: JsonValue) => JsonValue,
  ) =>
    task(id, async ({ results, input, idempotencyKey }) => {
      log.push(`${id}@${idempotencyKey}`);
      if (id === 'translate' && options.failTranslate) throw new Error('translator down');
      return value(results, input);
    });
  return defineWorkflow({
    name: 'review',
    version: 'w3',
    input: z.object({ text: z.string(), language: z.string() }),
    root: sequence(
      'main',
      step('classify', (_results, input) =>
        (input as { text: string }).text.includes('refund') ? 'refund' : 'other',
      ),
      parallel(
        'enrich',
        step('summarise', (_results, input) => `summary of ${(input as { text: string }).text}`),
        branch(
          'maybe-translate',
          ({ input }) => ((input as { language: string }).language === 'en' ? 'skip' : 'translate'),
          { translate: step('translate', () => 'translated') },
        ),
      ),
      branch(
        'route',
        ({ results }) => String(results.classify),
        {
          refund: sequence(
            'refund-flow',
            human('approve', ({ results }) => `Approve? ${String(results.summarise)}`),
            step('notify', (results) => `notified: ${JSON.stringify(results.approve)}`),
          ),
        },
        step('archive', () => 'archived'),
      ),
    ),
    output: ({ results }) => ({
      route: results.classify ?? null,
      final: results.notify ?? results.archive ?? null,
    }),
  });
}

describe('workflows: a declarative graph on the same checkpoints', () => {
  it('runs a sequence, a parallel step and a branch, one checkpoint per step', async () => {
    const log: string[] = [];
    const store = new MemoryCheckpointStore();
    const runtime = new AgentRuntime({ store, workflows: [reviewWorkflow(log)] });
    const started = await runtime.startRun('review', { text: 'a question', language: 'fr' });
    expect(started.versions).toMatchObject({
      model: null,
      promptVersion: 'w3',
      tools: { classify: '1', translate: '1', notify: '1' },
    });
    const run = await runtime.processRun(started.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      stopReason: 'workflow_completed',
      output: { route: 'other', final: 'archived' },
      steps: 3,
    });
    const steps = await runtime.listSteps(run.runId);
    // Step 2 ran both branches of the parallel node together.
    expect(
      steps.map((checkpoint) =>
        (checkpoint.summary as { tasks: { id: string }[] }).tasks.map((entry) => entry.id),
      ),
    ).toEqual([['classify'], ['summarise', 'translate'], ['archive']]);
    expect(log).toContain(`translate@${run.runId}:2:translate`);
  });

  it('skips a branch without a matching case, and takes `otherwise` when given', async () => {
    const log: string[] = [];
    const runtime = new AgentRuntime({
      store: new MemoryCheckpointStore(),
      workflows: [reviewWorkflow(log)],
    });
    const started = await runtime.startRun('review', { text: 'hello', language: 'en' });
    const run = await runtime.processRun(started.runId);
    expect(run.status).toBe('succeeded');
    expect(log.map((entry) => entry.split('@')[0])).toEqual(['classify', 'summarise', 'archive']);
  });

  it('pauses at a human node and continues from the checkpoint on resume', async () => {
    const log: string[] = [];
    const store = new MemoryCheckpointStore();
    const runtime = new AgentRuntime({ store, workflows: [reviewWorkflow(log)] });
    const started = await runtime.startRun('review', { text: 'refund please', language: 'en' });
    const paused = await runtime.processRun(started.runId);
    expect(paused).toMatchObject({
      status: 'paused',
      awaiting: { prompt: 'Approve? summary of refund please', data: { node: 'approve' } },
    });
    await runtime.resume(started.runId, { approved: true, by: 'ops' });
    // A new runtime (another worker) continues it: nothing before the pause runs again.
    const again = new AgentRuntime({ store, workflows: [reviewWorkflow(log)] });
    const run = await again.processRun(started.runId);
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { route: 'refund', final: 'notified: {"approved":true,"by":"ops"}' },
    });
    expect(log.map((entry) => entry.split('@')[0])).toEqual(['classify', 'summarise', 'notify']);
  });

  it('takes `null` as a valid answer to a human node', async () => {
    const confirm = defineWorkflow({
      name: 'confirm',
      version: '1',
      input: z.unknown(),
      root: sequence(
        's',
        human('ask', 'anything?'),
        task('after', async ({ results }) => ({ got: results.ask ?? 'missing' })),
      ),
    });
    const runtime = new AgentRuntime({ store: new MemoryCheckpointStore(), workflows: [confirm] });
    const started = await runtime.startRun('confirm', {});
    expect((await runtime.processRun(started.runId)).status).toBe('paused');
    await runtime.resume(started.runId, null);
    expect(await runtime.processRun(started.runId)).toMatchObject({
      status: 'succeeded',
      output: { ask: null, after: { got: 'missing' } },
    });
  });

  it('fails the run with step_failed when a task fails, naming the task', async () => {
    const runtime = new AgentRuntime({
      store: new MemoryCheckpointStore(),
      workflows: [reviewWorkflow([], { failTranslate: true })],
    });
    const started = await runtime.startRun('review', { text: 'x', language: 'de' });
    const run = await runtime.processRun(started.runId);
    expect(run).toMatchObject({
      status: 'failed',
      stopReason: 'step_failed',
      error: { code: 'TOOL_EXECUTION_FAILED' },
    });
    expect(run.error!.message).toMatch(/workflow task "translate" failed: .*translator down/);
  });

  it('replays tasks recorded before a crash instead of running them again', async () => {
    const log: string[] = [];
    const store = new MemoryCheckpointStore();
    const runtime = new AgentRuntime({ store, workflows: [reviewWorkflow(log)] });
    const started = await runtime.startRun('review', { text: 'x', language: 'de' });
    await runtime.processRun(started.runId, { maxSteps: 1 });
    // Step 2's `summarise` finished and was recorded; the worker died before `translate` and the checkpoint.
    await store.recordToolCall({
      idempotencyKey: `${started.runId}:2:summarise`,
      runId: started.runId,
      step: 2,
      callIndex: 0,
      toolName: 'summarise',
      toolVersion: '1',
      arguments: null,
      outcome: 'ok',
      result: 'summary recorded before the crash',
      durationMs: 1,
      createdAt: new Date(),
    });
    const run = await runtime.processRun(started.runId);
    expect(run.status).toBe('succeeded');
    expect(log.map((entry) => entry.split('@')[0])).toEqual(['classify', 'translate', 'archive']);
  });

  it('fails the run on the last job attempt when a step throws unexpectedly, instead of leaving it running', async () => {
    const broken = defineWorkflow({
      name: 'broken',
      version: '1',
      input: z.unknown(),
      root: branch(
        'decide',
        () => {
          throw new Error('condition blew up');
        },
        {},
      ),
    });
    const runtime = new AgentRuntime({ store: new MemoryCheckpointStore(), workflows: [broken] });
    const started = await runtime.startRun('broken', {});
    await expect(runtime.processRun(started.runId)).rejects.toThrow('condition blew up');
    expect((await runtime.getRun(started.runId)).status).toBe('running');
    await expect(runtime.processRun(started.runId, { finalAttempt: true })).rejects.toThrow(
      'condition blew up',
    );
    expect(await runtime.getRun(started.runId)).toMatchObject({
      status: 'failed',
      stopReason: 'step_failed',
      error: { code: 'AGENT_STEP_FAILED', message: 'step 1 failed: condition blew up' },
    });
  });

  it('rejects a graph with duplicate node ids', () => {
    expect(() =>
      defineWorkflow({
        name: 'dup',
        version: '1',
        input: z.unknown(),
        root: sequence(
          'a',
          task('a', async () => 1),
        ),
      }),
    ).toThrow(InvalidAgentDefinitionError);
  });
});
