import { Injectable } from '@nestjs/common';
import { type AgentRuntime, type RunRecord, type StepCheckpoint } from '@ai-scale/agent-runtime';
import { AiScaleError } from '@ai-scale/errors';
import { NotFoundError } from '../../common/errors';
import { type SseStream } from '../../common/sse/sse';
import { isUuid } from '../../common/validation/uuid';
import { BudgetGuard } from '../usage/budget-guard';
import { InjectAgentRuntime } from '../../infrastructure/agents/agents.module';
import { guardDependency } from '../../infrastructure/readiness/dependency-guard';

/** Start, read and resume agent runs, always within the caller's tenant. */
@Injectable()
export class AgentRunsUseCase {
  constructor(
    @InjectAgentRuntime() private readonly runtime: AgentRuntime,
    private readonly budget: BudgetGuard,
  ) {}

  async start(tenantId: string, agent: string, input: unknown): Promise<{ runId: string; status: string }> {
    await this.budget.assertWithinBudget(tenantId);
    const run = await this.runtime.startRun(agent, input, { tenantId });
    return { runId: run.runId, status: run.status };
  }

  async get(tenantId: string, runId: string) {
    const run = await this.owned(tenantId, runId);
    const steps = await guardDependency('database', () => this.runtime.listSteps(runId));
    return { ...view(run), steps };
  }

  async resume(tenantId: string, runId: string, input: unknown) {
    await this.owned(tenantId, runId);
    return view(await this.runtime.resume(runId, input));
  }

  /**
   * Cancels the run (terminal `cancelled`; its in-flight model and tool calls are aborted by the
   * worker running it). Idempotent; 409 (`RUN_ALREADY_FINISHED`) for a run that succeeded or failed.
   */
  async cancel(tenantId: string, runId: string) {
    await this.owned(tenantId, runId);
    return view(await guardDependency('database', () => this.runtime.cancel(runId)));
  }

  /**
   * Streams the run from the checkpoint store, so any API replica can serve it and a client resumes
   * with `Last-Event-ID` (the last step it saw): `status` whenever the status changes, one `step`
   * per checkpoint (id = step number: the model call with tokens and cost, the tool calls), and a
   * last `end` with the run once it succeeded, failed, was cancelled or paused; then the stream ends.
   */
  async prepareEvents(
    tenantId: string,
    runId: string,
    afterStep: number | undefined,
    pollMs = 250,
  ): Promise<(stream: SseStream) => Promise<void>> {
    await this.owned(tenantId, runId);
    return async (stream) => {
      try {
        await this.follow(stream, runId, afterStep ?? 0, pollMs);
      } catch (error) {
        // The stream is open (200 sent): the failure goes out as an event in the API's error shape.
        stream.send('error', { error: describe(error) });
      } finally {
        stream.close();
      }
    };
  }

  private async follow(stream: SseStream, runId: string, afterStep: number, pollMs: number): Promise<void> {
    {
      let sentStep = afterStep;
      let lastStatus: string | undefined;
      while (!stream.closed) {
        const run = await this.runtime.getRun(runId);
        const steps: StepCheckpoint[] = await this.runtime.listSteps(runId);
        for (const step of steps) {
          if (step.step <= sentStep) continue;
          stream.send('step', stepView(step), step.step);
          sentStep = step.step;
        }
        if (run.status !== lastStatus) {
          lastStatus = run.status;
          stream.send('status', { runId, status: run.status, stepCount: run.steps, usage: run.usage });
        }
        if (ENDED.has(run.status)) {
          stream.send('end', view(run));
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    }
  }

  private async owned(tenantId: string, runId: string): Promise<RunRecord> {
    if (!isUuid(runId)) throw new NotFoundError('agent run', runId);
    let run: RunRecord;
    try {
      run = await guardDependency('database', () => this.runtime.getRun(runId));
    } catch (error) {
      if (AiScaleError.isInstance(error) && error.code === 'RUN_NOT_FOUND')
        throw new NotFoundError('agent run', runId);
      throw error;
    }
    if (run.tenantId !== tenantId) throw new NotFoundError('agent run', runId);
    return run;
  }
}

const ENDED = new Set<RunRecord['status']>(['succeeded', 'failed', 'cancelled', 'paused']);

function describe(error: unknown): { code: string; message: string } {
  if (AiScaleError.isInstance(error)) return { code: error.code, message: error.message };
  return { code: 'STREAM_FAILED', message: 'the event stream failed; reconnect with Last-Event-ID' };
}

function stepView(step: StepCheckpoint) {
  return {
    runId: step.runId,
    step: step.step,
    summary: step.summary,
    createdAt: step.createdAt.toISOString(),
  };
}

function view(run: RunRecord) {
  return {
    runId: run.runId,
    agent: run.name,
    status: run.status,
    input: run.input,
    output: run.output,
    stopReason: run.stopReason,
    error: run.error,
    awaiting: run.awaiting,
    usage: run.usage,
    stepCount: run.steps,
    toolCalls: run.toolCalls,
    createdAt: run.createdAt.toISOString(),
    finishedAt: run.finishedAt ? run.finishedAt.toISOString() : null,
  };
}
