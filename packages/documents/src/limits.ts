import { z } from 'zod';

/**
 * Per-tenant limits on what one document may cost to process. Every parser checks them BEFORE the
 * expensive step (inflating a zip, rendering a page, running OCR), so a hostile file is refused
 * cheaply instead of exhausting a worker.
 */
export const documentLimitsSchema = z.object({
  /** Largest accepted upload. */
  maxFileBytes: z
    .number()
    .int()
    .positive()
    .default(50 * 1024 * 1024),
  /** Most pages a PDF may have. */
  maxPages: z.number().int().positive().default(500),
  /** Most pages of one document that may go through OCR (OCR costs ~0.5–2 s a page). */
  maxOcrPages: z.number().int().nonnegative().default(200),
  /** Most characters of extracted text kept; more is an error, not a silent truncation. */
  maxExtractedChars: z.number().int().positive().default(20_000_000),
  /** Sum of the uncompressed sizes of a DOCX's entries. */
  maxUncompressedBytes: z
    .number()
    .int()
    .positive()
    .default(200 * 1024 * 1024),
  /** Largest uncompressed/compressed ratio of a DOCX (zip bombs reach 1000:1 and more). */
  maxCompressionRatio: z.number().positive().default(100),
  /** Most entries in a DOCX archive. */
  maxArchiveEntries: z.number().int().positive().default(5_000),
});

export type DocumentLimits = z.infer<typeof documentLimitsSchema>;
export type DocumentLimitsInput = z.input<typeof documentLimitsSchema>;

export function resolveLimits(input: DocumentLimitsInput = {}): DocumentLimits {
  return documentLimitsSchema.parse(input);
}
