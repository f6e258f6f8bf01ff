import { parseConfig } from '../../config';
import { OcrEngineHolder } from './ocr.module';

describe('OcrEngineHolder', () => {
  it('gives the API role no OCR engine (it never parses)', () => {
    const holder = new OcrEngineHolder(parseConfig({ ROLE: 'api', DEMO_TENANT: 'false' }));
    expect(holder.engine).toBeUndefined();
  });

  it('bounds OCR concurrency by WORKER_CONCURRENCY and refuses work once shut down', async () => {
    const holder = new OcrEngineHolder(
      parseConfig({ DEMO_TENANT: 'false', OCR_CONCURRENCY: '8', WORKER_CONCURRENCY: '2' }),
    );
    expect(holder.engine).toMatchObject({ concurrency: 2 });
    await holder.onApplicationShutdown();
    await expect(holder.engine!.recognize(new Uint8Array([1]))).rejects.toMatchObject({
      code: 'DOCUMENT_OCR_UNAVAILABLE',
    });
  });
});
