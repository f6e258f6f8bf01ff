import { Module } from '@nestjs/common';
import { OcrModule } from '../../infrastructure/ocr/ocr.module';
import { MaintenanceModule } from '../maintenance/maintenance.module';
import { DocumentLimitsPolicy } from './document-limits';
import { IngestDocumentProcessor } from './ingest-document.processor';
import { CreateDocumentUseCase } from './usecases/create-document.usecase';
import { DeleteDocumentUseCase } from './usecases/delete-document.usecase';
import { GetDocumentUseCase } from './usecases/get-document.usecase';

const useCases = [
  CreateDocumentUseCase,
  GetDocumentUseCase,
  DeleteDocumentUseCase,
  IngestDocumentProcessor,
  DocumentLimitsPolicy,
];

@Module({
  imports: [OcrModule, MaintenanceModule],
  providers: useCases,
  exports: [...useCases, MaintenanceModule],
})
export class DocumentsModule {}
