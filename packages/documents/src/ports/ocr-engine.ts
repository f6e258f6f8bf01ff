/**
 * Reads the text in an image. Implementations bound their own concurrency (OCR is CPU-heavy: one
 * recognition keeps a core busy for a second or more), queueing callers beyond it, and honour the
 * abort signal between images.
 */
export interface OcrEngine {
  /** `image` is PNG/JPEG/TIFF/BMP/WebP bytes. Resolves to the recognised text ('' when none). */
  recognize(image: Uint8Array, options?: { readonly signal?: AbortSignal }): Promise<OcrResult>;
  /** Stops the engine's workers; pending calls reject. */
  close(): Promise<void>;
}

export interface OcrResult {
  readonly text: string;
  /** Mean word confidence, 0–100. */
  readonly confidence: number;
}
