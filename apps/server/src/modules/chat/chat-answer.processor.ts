import { Injectable } from '@nestjs/common';
import { type JobContext } from '@ai-scale/queue';
import { type JobProcessor } from '../../worker/job-processor';
import { type Answer, type AnswerQuestionInput, CHAT_ANSWER_JOB } from './chat.types';
import { AnswerQuestionUseCase } from './usecases/answer-question.usecase';

@Injectable()
export class ChatAnswerProcessor implements JobProcessor<AnswerQuestionInput, Answer> {
  readonly jobName = CHAT_ANSWER_JOB;

  constructor(private readonly answerQuestion: AnswerQuestionUseCase) {}

  process(job: JobContext<AnswerQuestionInput>): Promise<Answer> {
    return this.answerQuestion.execute(job.payload, job.signal);
  }
}
