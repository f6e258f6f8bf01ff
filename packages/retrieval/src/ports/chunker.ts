/** The formats a chunker understands. `markdown` splits on headings first and records the heading path. */
export type ContentType = 'text' | 'markdown';

export interface ChunkOptions {
  readonly contentType?: ContentType;
  /** Target chunk size in tokens (of the chunker's tokenizer, not characters). */
  readonly chunkSize?: number;
  /** Tokens shared by consecutive chunks of one section (0 ≤ overlap < chunkSize). */
  readonly chunkOverlap?: number;
}

export interface Chunk {
  /** Position of the chunk in its document, 0-based and contiguous. */
  readonly ordinal: number;
  readonly text: string;
  readonly tokenCount: number;
  /** Hex SHA-256 of `text` (exactly the embedded text): equal text ⇒ equal hash ⇒ the embedding is reused. */
  readonly contentHash: string;
  readonly metadata: ChunkMetadata;
}

export interface ChunkMetadata {
  /** Markdown headings enclosing the chunk, outermost first (`['Guide', 'Install']`); empty for plain text. */
  readonly headingPath: readonly string[];
}

/**
 * Splits a document into chunks that fit an embedding model.
 * Guarantees: deterministic (same text and options ⇒ same chunks and hashes); no chunk is empty;
 * every chunk has at most `chunkSize` tokens unless one indivisible token run is longer; an edit
 * in one section leaves the chunks of other sections unchanged (so their hashes, and embeddings, are reused).
 */
export interface Chunker {
  chunk(text: string, options?: ChunkOptions): Chunk[];
}
