import { porterStem } from './porter-stemmer';

/** The English stop words of Lucene's `EnglishAnalyzer` plus a few common function words. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with ' +
    'from has have had were been being which what who whom how when where why can could would should do does did its than so we our you your he she his her them i me my also may'
  ).split(' '),
);

export interface AnalyzerOptions {
  /** Porter stemming (default true). */
  readonly stem?: boolean;
  /** Drop English stop words (default true). */
  readonly removeStopWords?: boolean;
}

export interface Term {
  /** The unstemmed lowercase word. */
  readonly word: string;
  /** What is indexed: stemmed unless stemming is off. */
  readonly term: string;
}

const WORD = /[\p{L}\p{N}]+/gu;
const ASCII_WORD = /^[a-z]+$/;

/**
 * Lowercase, split on anything that is not a letter or a digit, drop stop words, Porter-stem ASCII
 * words. The one analyzer of the package: the local embedder and the in-memory BM25 index share it,
 * so that the same word always yields the same term.
 */
export function analyze(text: string, options: AnalyzerOptions = {}): Term[] {
  const stem = options.stem ?? true;
  const removeStopWords = options.removeStopWords ?? true;
  const terms: Term[] = [];
  for (const match of text.toLowerCase().normalize('NFKD').matchAll(WORD)) {
    const word = match[0];
    if (removeStopWords && ENGLISH_STOP_WORDS.has(word)) continue;
    terms.push({ word, term: stem && ASCII_WORD.test(word) ? porterStem(word) : word });
  }
  return terms;
}
