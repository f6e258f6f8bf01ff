import { Injectable } from '@nestjs/common';
import { type DocumentLimits, resolveLimits } from '@ai-scale/documents';
import { type AppConfig, InjectConfig } from '../../config';

/**
 * What one document may cost a tenant: its size (MAX_UPLOAD_BYTES), its pages (DOCUMENT_MAX_PAGES)
 * and its pages through OCR (DOCUMENT_MAX_OCR_PAGES); the other limits of `@ai-scale/documents`
 * (zip-bomb ratios, extracted characters) keep their defaults. Asked per tenant, at upload and in the
 * worker; every tenant gets the server-wide values today (tenants carry no document limits yet).
 */
@Injectable()
export class DocumentLimitsPolicy {
  private readonly limits: DocumentLimits;

  constructor(@InjectConfig() config: AppConfig) {
    this.limits = resolveLimits({
      maxFileBytes: config.MAX_UPLOAD_BYTES,
      maxPages: config.DOCUMENT_MAX_PAGES,
      maxOcrPages: Math.min(config.DOCUMENT_MAX_OCR_PAGES, config.DOCUMENT_MAX_PAGES),
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  limitsFor(tenantId: string): DocumentLimits {
    return this.limits;
  }
}
