import { ServerError } from '../../common/errors';

/** The document was deleted before or while its ingestion ran: the delete wins, nothing stays indexed. */
export class DocumentDeletedError extends ServerError {
  readonly code = 'DOCUMENT_DELETED';
  readonly category = 'USER' as const;

  constructor(documentId: string, when: 'before' | 'during') {
    super({ message: `document ${documentId} was deleted ${when} its ingestion`, isRetryable: false });
  }
}
