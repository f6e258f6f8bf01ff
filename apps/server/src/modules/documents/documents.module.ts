import { Module } from '@nestjs/common';
import { IngestDocumentProcessor } from './ingest-document.processor';
import { CreateDocumentUseCase } from './usecases/create-document.usecase';
import { DeleteDocumentUseCase } from './usecases/delete-document.usecase';
import { GetDocumentUseCase } from './usecases/get-document.usecase';

const useCases = [CreateDocumentUseCase, GetDocumentUseCase, DeleteDocumentUseCase, IngestDocumentProcessor];

@Module({ providers: useCases, exports: useCases })
export class DocumentsModule {}
