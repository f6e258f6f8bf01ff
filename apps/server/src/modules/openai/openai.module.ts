import { Module } from '@nestjs/common';
import { UsageModule } from '../usage/usage.module';
import { CreateChatCompletionUseCase } from './usecases/create-chat-completion.usecase';
import { CreateEmbeddingsUseCase } from './usecases/create-embeddings.usecase';

const providers = [CreateChatCompletionUseCase, CreateEmbeddingsUseCase];

/** The OpenAI-compatible API's use cases (`/v1/openai/...`). */
@Module({ imports: [UsageModule], providers, exports: providers })
export class OpenAiModule {}
