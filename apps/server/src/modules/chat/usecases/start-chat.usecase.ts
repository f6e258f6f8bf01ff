import { Injectable } from '@nestjs/common';
import { AiScaleError } from '@ai-scale/errors';
import { type JobQueue, type JobRecord } from '@ai-scale/queue';
import { type AppConfig, InjectConfig } from '../../../config';
import { InjectLlmModels } from '../../../infrastructure/llm/llm.module';
import { InjectJobQueue } from '../../../infrastructure/queue/queue.module';
import { assertKnownModel } from './known-model';
import { guardDependency } from '../../../infrastructure/readiness/dependency-guard';
import { type Answer, type AnswerQuestionInput, CHAT_ANSWER_JOB } from '../chat.types';

export type ChatOutcome =
  { readonly kind: 'answer'; readonly answer: Answer } | { readonly kind: 'queued'; readonly jobId: string };

/**
 * Sync and async chat both go through the queue, so a slow model never holds an API process:
 * `async` returns the job at once; `sync` waits for it up to CHAT_SYNC_DEADLINE_MS, then returns
 * the job id instead (the answer still arrives, by polling or SSE).
 */
@Injectable()
export class StartChatUseCase {
  constructor(
    @InjectJobQueue() private readonly queue: JobQueue,
    @InjectConfig() private readonly config: AppConfig,
    @InjectLlmModels() private readonly models: readonly string[],
  ) {}

  async execute(input: AnswerQuestionInput, mode: 'sync' | 'async'): Promise<ChatOutcome> {
    assertKnownModel(this.models, input.model);
    // A zero deadline means "never wait": sync behaves like async.
    if (mode === 'async' || this.config.CHAT_SYNC_DEADLINE_MS === 0) {
      const job = await this.enqueue(input);
      return { kind: 'queued', jobId: job.id };
    }
    let resolveFinal!: () => void;
    const final = new Promise<void>((resolve) => (resolveFinal = resolve));
    let jobId: string | undefined;
    const early = new Set<string>();
    const unsubscribe = this.queue.subscribe((event) => {
      if (event.type !== 'completed' && event.type !== 'failed') return;
      if (jobId === undefined) early.add(event.jobId);
      else if (event.jobId === jobId) resolveFinal();
    });
    try {
      const job = await this.enqueue(input);
      jobId = job.id;
      if (early.has(job.id)) resolveFinal();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>(
        (resolve) => (timer = setTimeout(resolve, this.config.CHAT_SYNC_DEADLINE_MS)),
      );
      await Promise.race([final, deadline]);
      clearTimeout(timer);
      const latest = (await this.queue.getJob(job.id)) ?? job;
      if (latest.state === 'completed' && latest.result)
        return { kind: 'answer', answer: latest.result as Answer };
      if (latest.state === 'failed' && latest.error)
        throw new ChatJobFailedError(latest.error.code, latest.error.message);
      return { kind: 'queued', jobId: job.id };
    } finally {
      unsubscribe();
    }
  }

  private enqueue(input: AnswerQuestionInput): Promise<JobRecord> {
    return guardDependency('queue', () =>
      this.queue.enqueue(CHAT_ANSWER_JOB, input, {
        tenantId: input.tenantId,
        attempts: 2,
        priority: 4,
        backoff: { type: 'exponential', baseMs: 250 },
        timeoutMs: 120_000,
      }),
    );
  }
}

/** A sync chat whose job failed for good: re-raised with the job's error code so the filter maps it (402, 404, 503…). */
export class ChatJobFailedError extends AiScaleError {
  readonly category;
  constructor(
    readonly code: string,
    message: string,
  ) {
    super({ message });
    this.category = /BUDGET|NOT_FOUND|INVALID/.test(code) ? ('USER' as const) : ('THIRD_PARTY' as const);
  }
}
