import { createHash } from 'node:crypto';
import type { Chunk, ChunkOptions, Chunker, ContentType } from '../ports';
import { InvalidRetrievalRequestError } from '../errors';
import { splitMarkdownSections, type Section } from './markdown-sections';
import { tiktokenCounter, type TokenCounter } from './token-counter';

export interface RecursiveTokenChunkerOptions {
  /** Default target size in tokens (default 256). */
  readonly chunkSize?: number;
  /** Default overlap in tokens (default 32). */
  readonly chunkOverlap?: number;
  /** Default `text`. */
  readonly contentType?: ContentType;
  /** Defaults to js-tiktoken `cl100k_base`. */
  readonly tokenCounter?: TokenCounter;
}

/** Coarsest first: paragraphs, lines, sentences, clauses, words, then characters. */
const SEPARATORS = ['\n\n', '\n', '. ', '? ', '! ', '; ', ', ', ' ', ''];

interface Piece {
  readonly text: string;
  readonly tokens: number;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * A recursive splitter measured in tokens (the same idea as LangChain's
 * `RecursiveCharacterTextSplitter` with a token length function, but it tokenizes each piece once
 * instead of re-tokenizing every candidate merge, which made LangChain's version the bottleneck of
 * ingestion). Markdown is first cut into heading sections, so that an edit in one section leaves
 * every other section's chunks, hashes and embeddings untouched; overlap never crosses a section.
 */
export class RecursiveTokenChunker implements Chunker {
  private readonly defaults: Required<Omit<RecursiveTokenChunkerOptions, 'tokenCounter'>>;
  private readonly counter: TokenCounter;

  constructor(options: RecursiveTokenChunkerOptions = {}) {
    this.defaults = {
      chunkSize: options.chunkSize ?? 256,
      chunkOverlap: options.chunkOverlap ?? 32,
      contentType: options.contentType ?? 'text',
    };
    this.counter = options.tokenCounter ?? tiktokenCounter();
    validateSizes(this.defaults.chunkSize, this.defaults.chunkOverlap);
  }

  chunk(text: string, options: ChunkOptions = {}): Chunk[] {
    if (typeof text !== 'string') {
      throw new InvalidRetrievalRequestError({ message: 'document text must be a string' });
    }
    const chunkSize = options.chunkSize ?? this.defaults.chunkSize;
    const chunkOverlap = options.chunkOverlap ?? this.defaults.chunkOverlap;
    validateSizes(chunkSize, chunkOverlap);
    const contentType = options.contentType ?? this.defaults.contentType;
    const sections: Section[] =
      contentType === 'markdown'
        ? splitMarkdownSections(text)
        : text.trim().length > 0
          ? [{ headingPath: [], text: text.trim() }]
          : [];
    const chunks: Chunk[] = [];
    for (const section of sections) {
      for (const chunkText of this.splitSection(section.text, chunkSize, chunkOverlap)) {
        chunks.push({
          ordinal: chunks.length,
          text: chunkText,
          tokenCount: this.counter.count(chunkText),
          contentHash: sha256Hex(chunkText),
          metadata: { headingPath: section.headingPath },
        });
      }
    }
    return chunks;
  }

  private splitSection(text: string, chunkSize: number, chunkOverlap: number): string[] {
    const pieces = this.toPieces(text, chunkSize, 0);
    const chunks: string[] = [];
    let current: Piece[] = [];
    let currentTokens = 0;
    for (const piece of pieces) {
      if (currentTokens + piece.tokens > chunkSize && current.length > 0) {
        chunks.push(joinPieces(current));
        // Carry trailing pieces into the next chunk as overlap, within the overlap budget and
        // leaving room for the incoming piece.
        const carried: Piece[] = [];
        let carriedTokens = 0;
        for (let i = current.length - 1; i >= 0; i--) {
          const candidate = current[i] as Piece;
          if (carriedTokens + candidate.tokens > chunkOverlap) break;
          if (carriedTokens + candidate.tokens + piece.tokens > chunkSize) break;
          carried.unshift(candidate);
          carriedTokens += candidate.tokens;
        }
        current = carried;
        currentTokens = carriedTokens;
      }
      current.push(piece);
      currentTokens += piece.tokens;
    }
    if (current.length > 0) chunks.push(joinPieces(current));
    return chunks.map((chunk) => chunk.trim()).filter((chunk) => chunk.length > 0);
  }

  /** Cuts text into pieces of at most `chunkSize` tokens, each keeping its trailing separator. */
  private toPieces(text: string, chunkSize: number, level: number): Piece[] {
    const tokens = this.counter.count(text);
    if (tokens <= chunkSize) return [{ text, tokens }];
    const separator = SEPARATORS[level];
    if (separator === undefined) return [{ text, tokens }];
    if (separator === '') return this.splitByCharacters(text, chunkSize);
    const parts = splitKeepingSeparator(text, separator);
    if (parts.length === 1) return this.toPieces(text, chunkSize, level + 1);
    return parts.flatMap((part) => this.toPieces(part, chunkSize, level + 1));
  }

  private splitByCharacters(text: string, chunkSize: number): Piece[] {
    // Binary-search the longest prefix within budget: linear in pieces, logarithmic in counts.
    const pieces: Piece[] = [];
    let rest = text;
    while (rest.length > 0) {
      let low = 1;
      let high = rest.length;
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (this.counter.count(rest.slice(0, middle)) <= chunkSize) low = middle;
        else high = middle - 1;
      }
      const piece = rest.slice(0, low);
      pieces.push({ text: piece, tokens: this.counter.count(piece) });
      rest = rest.slice(low);
    }
    return pieces;
  }
}

function splitKeepingSeparator(text: string, separator: string): string[] {
  const parts = text.split(separator);
  return parts
    .map((part, index) => (index < parts.length - 1 ? part + separator : part))
    .filter((part) => part.length > 0);
}

function joinPieces(pieces: readonly Piece[]): string {
  return pieces.map((piece) => piece.text).join('');
}

function validateSizes(chunkSize: number, chunkOverlap: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 8) {
    throw new InvalidRetrievalRequestError({ message: `chunkSize must be an integer ≥ 8, got ${chunkSize}` });
  }
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new InvalidRetrievalRequestError({
      message: `chunkOverlap must be an integer in [0, chunkSize), got ${chunkOverlap}`,
    });
  }
}
