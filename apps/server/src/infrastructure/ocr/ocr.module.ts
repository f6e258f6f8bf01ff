import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type OcrEngine } from '@ai-scale/documents';
import { TesseractOcrEngine } from '@ai-scale/documents/tesseract';
import { type AppConfig, InjectConfig } from '../../config';

export const OCR_ENGINE = Symbol('OCR_ENGINE');
export const InjectOcrEngine = (): PropertyDecorator & ParameterDecorator => Inject(OCR_ENGINE);

/**
 * OCR for images and scanned PDF pages, in the worker role only (the API never parses). Tesseract
 * workers start lazily on the first image; at most OCR_CONCURRENCY recognitions run at once, and never
 * more than WORKER_CONCURRENCY, so OCR cannot occupy every job slot. Closed on shutdown (a
 * recognition in flight finishes, its tesseract worker is then terminated).
 */
@Injectable()
export class OcrEngineHolder implements OnApplicationShutdown {
  readonly engine: OcrEngine | undefined;

  constructor(@InjectConfig() config: AppConfig) {
    this.engine = config.runsWorker
      ? new TesseractOcrEngine({ concurrency: Math.min(config.OCR_CONCURRENCY, config.WORKER_CONCURRENCY) })
      : undefined;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine?.close();
  }
}

@Module({
  providers: [
    OcrEngineHolder,
    {
      provide: OCR_ENGINE,
      inject: [OcrEngineHolder],
      useFactory: (holder: OcrEngineHolder) => holder.engine,
    },
  ],
  exports: [OCR_ENGINE],
})
export class OcrModule {}
