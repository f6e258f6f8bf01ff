import { Injectable } from '@nestjs/common';
import { type AgentRuntime, type RunRecord } from '@ai-scale/agent-runtime';
import { AiScaleError } from '@ai-scale/errors';
import { NotFoundError } from '../../common/errors';
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
