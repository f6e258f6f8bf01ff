import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type LlmGateway } from '@ai-scale/llm-gateway';
import { type SseStream } from '../../../common/sse/sse';
import { mapError } from '../../../common/http/error-mapping';
import { InjectLlmGateway, InjectLlmModels } from '../../../infrastructure/llm/llm.module';
import { assertKnownModel } from './known-model';
import { type Answer, type AnswerQuestionInput } from '../chat.types';
import { AnswerQuestionUseCase, type PreparedQuestion } from './answer-question.usecase';

/**
 * `mode: stream`: tokens as server-sent events (`token` {text}), then `done` with the full answer
 * object (or `error` {code, message}). Preparation errors (budget, unknown conversation) are thrown
 * before the stream opens, so they keep their HTTP status.
 */
@Injectable()
export class StreamAnswerUseCase {
  constructor(
    private readonly answerQuestion: AnswerQuestionUseCase,
    @InjectLlmGateway() private readonly gateway: LlmGateway,
    @InjectLlmModels() private readonly models: readonly string[],
  ) {}

  async prepare(input: AnswerQuestionInput): Promise<(stream: SseStream) => Promise<void>> {
    assertKnownModel(this.models, input.model);
    const prepared = await this.answerQuestion.prepare(input);
    return (stream) => this.run(input, prepared, stream);
  }

  private async run(
    input: AnswerQuestionInput,
    prepared: PreparedQuestion,
    stream: SseStream,
  ): Promise<void> {
    const abort = new AbortController();
    stream.onClose(() => abort.abort());
    try {
      if (prepared.cached) {
        stream.send('token', { text: prepared.cached.answer });
        await this.answerQuestion.finish(input.tenantId, prepared, prepared.cached);
        stream.send('done', prepared.cached);
        return;
      }
      let text = '';
      for await (const event of this.gateway.stream({
        tenantId: input.tenantId,
        requestId: randomUUID(),
        model: input.model,
        tier: input.tier,
        ...(input.budgets ? { budgets: input.budgets } : {}),
        messages: prepared.messages,
        context: prepared.context,
        temperature: 0,
        signal: abort.signal,
      })) {
        if (event.type === 'text') {
          text += event.text;
          stream.send('token', { text: event.text });
        } else if (event.type === 'done') {
          const answer: Answer = {
            answer: text,
            citations: (event.citations ?? []).map(({ documentId, chunkId }) => ({ documentId, chunkId })),
            usage: {
              promptTokens: event.usage.promptTokens,
              completionTokens: event.usage.completionTokens,
              costUsd: event.costUsd,
            },
            cache: event.cache,
            conversationId: prepared.conversation.id,
          };
          await this.answerQuestion.store(prepared, answer);
          await this.answerQuestion.finish(input.tenantId, prepared, answer);
          stream.send('done', answer);
        }
      }
    } catch (error) {
      stream.send('error', mapError(error).body.error);
    } finally {
      stream.close();
    }
  }
}
