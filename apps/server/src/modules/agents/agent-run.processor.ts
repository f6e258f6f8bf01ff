import { Injectable } from '@nestjs/common';
import { AGENT_RUN_JOB, type AgentRuntime } from '@ai-scale/agent-runtime';
import { type JobContext } from '@ai-scale/queue';
import { InjectAgentRuntime } from '../../infrastructure/agents/agents.module';
import { type JobProcessor } from '../../worker/job-processor';

/** Runs a slice of an agent run (the runtime checkpoints every step and re-enqueues itself). */
@Injectable()
export class AgentRunProcessor implements JobProcessor {
  readonly jobName = AGENT_RUN_JOB;

  constructor(@InjectAgentRuntime() private readonly runtime: AgentRuntime) {}

  process(job: JobContext): Promise<unknown> {
    const handler = this.runtime.jobHandlers()[AGENT_RUN_JOB];
    if (!handler) throw new Error('the agent runtime has no agent.run handler');
    return handler(job);
  }
}
