import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { ChatAnswerProcessor } from './chat-answer.processor';
import { AnswerQuestionUseCase } from './usecases/answer-question.usecase';
import { ConversationMemory } from './usecases/conversation-memory';
import { StartChatUseCase } from './usecases/start-chat.usecase';
import { StreamAnswerUseCase } from './usecases/stream-answer.usecase';

const providers = [
  ConversationMemory,
  AnswerQuestionUseCase,
  StartChatUseCase,
  StreamAnswerUseCase,
  ChatAnswerProcessor,
];

@Module({ imports: [UsageModule], providers, exports: providers })
export class ChatModule {}
