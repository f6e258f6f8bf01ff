import type {
  ChatDelta,
  ChatRequest,
  ChatResult,
  Citation,
  ContextPassage,
  LlmProvider,
  ProviderCallOptions,
} from '../../ports/llm-provider';
import { lastUserText } from '../../prompt/render-context';
import { countPromptTokens, TiktokenCounter, type TokenCounter } from '../../tokens/token-counter';
import { abortError } from '../../util/abort';
import { splitForStreaming } from '../../util/forced-tool';

export interface ExtractiveLlmProviderOptions {
  /** Defaults to `extractive`. */
  readonly name?: string;
  /** Most sentences quoted in one answer. Default 3. */
  readonly maxSentences?: number;
  readonly tokenCounter?: TokenCounter;
}

export const EXTRACTIVE_PREFIX =
  'Extractive answer (quoted from the supplied passages; no language model was used):';
export const EXTRACTIVE_NO_CONTEXT =
  'I cannot answer this: no passages were supplied, and this extractive provider only quotes supplied passages (no language model is used).';
export const EXTRACTIVE_NO_MATCH =
  'None of the supplied passages matches the question, so this extractive provider has nothing to quote (no language model is used).';

const STOPWORDS = new Set(
  'a an and are as at be but by can do does for from has have how i if in is it its of on or so that the their them then there these they this to was what when where which who why will with you your'.split(
    ' ',
  ),
);

function terms(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter(
    (term) => term.length > 1 && !STOPWORDS.has(term),
  );
}

interface Sentence {
  readonly text: string;
  readonly passageIndex: number;
  readonly position: number;
  readonly terms: ReadonlySet<string>;
  readonly length: number;
}

/**
 * The embedded default provider: no model, no network, deterministic. It splits the supplied
 * context passages into sentences, scores each by the IDF-weighted overlap of its terms with the
 * question (BM25-like, length-normalised), and quotes the best `maxSentences` with `[n]` citations,
 * saying plainly that the answer is extractive. Without context, or without any matching sentence,
 * it says so instead of inventing an answer. It never calls tools.
 */
export class ExtractiveLlmProvider implements LlmProvider {
  readonly name: string;
  private readonly maxSentences: number;
  private readonly counter: TokenCounter;

  constructor(options: ExtractiveLlmProviderOptions = {}) {
    this.name = options.name ?? 'extractive';
    this.maxSentences = options.maxSentences ?? 3;
    this.counter = options.tokenCounter ?? new TiktokenCounter();
  }

  async chat(request: ChatRequest, options?: ProviderCallOptions): Promise<ChatResult> {
    if (options?.signal?.aborted) throw abortError(options.signal, this.name);
    return this.answer(request);
  }

  async *stream(request: ChatRequest, options?: ProviderCallOptions): AsyncIterable<ChatDelta> {
    const result = await this.chat(request, options);
    for (const piece of splitForStreaming(result.content)) {
      if (options?.signal?.aborted) throw abortError(options.signal, this.name);
      yield { type: 'text', text: piece };
    }
    yield {
      type: 'done',
      usage: result.usage,
      finishReason: result.finishReason,
      model: result.model,
      citations: result.citations,
    };
  }

  private answer(request: ChatRequest): ChatResult {
    const context = request.context ?? [];
    const chosen = context.length === 0 ? [] : this.select(lastUserText(request.messages), context);
    const citations: Citation[] = [];
    const citationNumber = new Map<number, number>();
    const quotes = chosen.map((sentence) => {
      let number = citationNumber.get(sentence.passageIndex);
      if (number === undefined) {
        const passage = context[sentence.passageIndex] as ContextPassage;
        citations.push({ documentId: passage.documentId, chunkId: passage.chunkId });
        number = citations.length;
        citationNumber.set(sentence.passageIndex, number);
      }
      return { text: sentence.text, number };
    });
    const answer =
      context.length === 0
        ? EXTRACTIVE_NO_CONTEXT
        : quotes.length === 0
          ? EXTRACTIVE_NO_MATCH
          : [EXTRACTIVE_PREFIX, ...quotes.map((quote) => `- "${quote.text}" [${quote.number}]`)].join('\n');
    const wantsJson = request.responseFormat !== undefined && request.responseFormat.type !== 'text';
    const content = wantsJson ? JSON.stringify({ answer, extractive: true, quotes, citations }) : answer;
    return {
      content,
      toolCalls: [],
      finishReason: 'stop',
      usage: {
        promptTokens: countPromptTokens(this.counter, request.messages, request.context, request.tools),
        completionTokens: this.counter.count(content),
        cachedTokens: 0,
      },
      model: request.model,
      provider: this.name,
      citations,
    };
  }

  private select(question: string, context: readonly ContextPassage[]): Sentence[] {
    const queryTerms = new Set(terms(question));
    if (queryTerms.size === 0) return [];
    const sentences: Sentence[] = [];
    context.forEach((passage, passageIndex) => {
      const pieces = passage.text
        .split(/(?<=[.!?])\s+|\n{2,}/)
        .map((piece) => piece.replace(/\s+/g, ' ').trim())
        .filter((piece) => piece.length > 0);
      pieces.forEach((text, position) => {
        const sentenceTerms = terms(text);
        sentences.push({
          text,
          passageIndex,
          position,
          terms: new Set(sentenceTerms),
          length: sentenceTerms.length,
        });
      });
    });
    const documentFrequency = new Map<string, number>();
    for (const sentence of sentences) {
      for (const term of sentence.terms) {
        if (queryTerms.has(term)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      }
    }
    const averageLength =
      sentences.reduce((sum, sentence) => sum + sentence.length, 0) / Math.max(1, sentences.length);
    const scored = sentences
      .map((sentence) => {
        let score = 0;
        for (const term of queryTerms) {
          if (!sentence.terms.has(term)) continue;
          const frequency = documentFrequency.get(term) ?? 0;
          score += Math.log(1 + (sentences.length - frequency + 0.5) / (frequency + 0.5));
        }
        // BM25's length normalisation (b = 0.75) so long sentences do not win by size alone.
        score /= 1 - 0.75 + (0.75 * sentence.length) / Math.max(1, averageLength);
        return { sentence, score };
      })
      .filter((entry) => entry.score > 0);
    // Ties break on passage order then sentence order: the answer is deterministic.
    scored.sort(
      (a, b) =>
        b.score - a.score ||
        a.sentence.passageIndex - b.sentence.passageIndex ||
        a.sentence.position - b.sentence.position,
    );
    return scored.slice(0, this.maxSentences).map((entry) => entry.sentence);
  }
}
