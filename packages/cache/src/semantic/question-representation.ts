/**
 * A representation of a question for the answer cache, by rules (no model, no download): what the
 * question is about, without the words that only say how it is asked. "How can I update my profile
 * picture?" and "I want to change my profile photo, how do I do that?" both become
 * `change profile picture`.
 *
 * - text folded: Unicode NFKC, lower case, typographic apostrophes, contractions expanded;
 * - asking-phrases dropped: greetings and thanks, "is it possible to", "what are the steps to",
 *   "I want to / I'd like to", "how do I do that"...;
 * - function words dropped: articles, pronouns, auxiliaries, prepositions AND the question words;
 *   the question word is not lost: the key-term guard compares it (`extractKeyTerms`), so
 *   "Who can see my documents?" and "How can I see my documents?" embed alike and are refused there;
 * - synonyms folded to one word (update/modify/edit → change; photo/image/avatar → picture; log in
 *   / sign in → login...), then a light suffix stemmer (uploads/uploaded/uploading → upload).
 *
 * Numbers, units and names stay terms, so they also weigh in the vector, not only in the guard.
 */

/** Multi-word phrases replaced before tokenising, longest first. An empty replacement drops them. */
// prettier-ignore
const PHRASES: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(hi|hello|hey|thanks|thank you|thx|please tell me|please|quick question|just wondering)\b/g, ' '],
  [/\b(is it possible to|is it possible|would it be possible to|am i able to|are we able to|is there a way to|is there any way to)\b/g, ' '],
  [/\b(what are the steps to|what is the way to|what is the best way to|what is the procedure to|how do i go about|how would i)\b/g, ' '],
  [/\b(i want to|i wanna|i would like to|i'd like to|i need to|i wish to|i am trying to|i'm trying to|i have to)\b/g, ' '],
  [/\b(how do i do (it|that|this)|what do i do|how do i proceed|what should i do|how\?|what is the way)\b/g, ' '],
  [/\b(get in touch with|reach out to|talk to|speak to)\b/g, ' contact '],
  [/\b(opt out of|opt out|stop receiving|unsubscribe from)\b/g, ' unsubscribe '],
  [/\b(set up|setup|set-up)\b/g, ' configure '],
  [/\b(turn on|switch on)\b/g, ' enable '],
  [/\b(turn off|switch off)\b/g, ' disable '],
  [/\b(log in|sign in|log-in|sign-in|signin)\b/g, ' login '],
  [/\b(log out|sign out|log-out|sign-out|signout|log off)\b/g, ' logout '],
  [/\b(sign up|sign-up|signup|register)\b/g, ' signup '],
  [/\b(change the name of|give a new name to)\b/g, ' rename '],
  [/\b(get rid of)\b/g, ' delete '],
  [/\b(back(ed|ing|s)? up|back-up)\b/g, ' backup '],
  [/\b(team member|team members|co-worker|co-workers)\b/g, ' member '],
  [/\b(how much does|how much is|how much are)\b/g, ' how much price '],
];

// prettier-ignore
const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bcan'?t\b/g, 'can not'], [/\bwon'?t\b/g, 'will not'], [/\b(\w+)n't\b/g, '$1 not'],
  [/\b(what|where|who|when|why|how|that|it|there)'?s\b/g, '$1 is'], [/\bi'm\b/g, 'i am'],
  [/\b(\w+)'re\b/g, '$1 are'], [/\b(\w+)'ve\b/g, '$1 have'], [/\b(\w+)'ll\b/g, '$1 will'],
  [/\bi'd\b/g, 'i would'], [/\b(\w+)'s\b/g, '$1'],
];

/** Words that say how a question is asked, not what it is about. Question words included. */
const FUNCTION_WORDS = new Set(
  `a an the this that these those some any each every all another other such
  i me my mine myself we us our ours you your yours it its they them their he him his she her
  someone anyone one
  is am are was were be been being do does did doing done have has had having get got getting
  can could shall should will would may might must ought
  what which who whom whose when where why how whats wheres
  to of in on at by for from with within into onto about as than so if or and but then also just
  there here way steps possible able offer provide available availability between allowed permitted exactly actually really currently
  want like need wish trying try proceed go going let lets know tell show explain help please
  ok okay yes`.split(/\s+/),
);

/** Synonym groups: every word on a line reads as its first word. */
// prettier-ignore
const SYNONYM_GROUPS: readonly string[] = [
  'change update modify edit alter',
  'switch move',
  'delete remove erase',
  'create generate',
  'get obtain request retrieve receive',
  'see view find locate access look',
  'configure configuration config',
  'enable activate',
  'disable deactivate',
  'member user colleague coworker teammate person people',
  'picture photo image avatar',
  'price cost pricing fee costs',
  'bill charge',
  'contact reach',
  'restore recover undelete',
  'connect integrate integration connection',
  'maximum max largest biggest',
  'minimum min smallest minimal',
  'start begin',
  'end finish',
  'expire expiry expiration',
  'cancel terminate discontinue',
  'document doc',
  'format type',
  'problem issue',
  'error failure',
  'fix resolve repair',
  'purchase buy',
  'email e-mail mail',
  'speed fast quick',
  'distance far',
  'differ difference different',
];
const SYNONYMS = new Map<string, string>();
for (const line of SYNONYM_GROUPS) {
  const [head, ...rest] = line.split(' ') as [string, ...string[]];
  for (const word of rest) SYNONYMS.set(word, head);
}

const TOKEN_PATTERN = /[\p{L}\p{N}](?:[\p{L}\p{N}'._-]*[\p{L}\p{N}])?/gu;

/** A light suffix stemmer: enough for plurals, tenses and -ation/-ize forms to meet. */
export function stemWord(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let stem = word;
  for (const [suffix, replacement] of [
    ['ational', 'ate'],
    ['ization', 'ize'],
    ['ation', 'ate'],
    ['ies', 'y'],
    ['ing', ''],
    ['ed', ''],
    ['es', 'e'],
    ['s', ''],
  ] as const) {
    if (suffix === 'ed' && stem.endsWith('eed')) break; // speed, need
    if (stem.endsWith(suffix) && stem.length - suffix.length >= 3) {
      if (suffix === 's' && /(ss|us|is)$/.test(stem)) break;
      stem = stem.slice(0, -suffix.length) + replacement;
      break;
    }
  }
  if (stem.endsWith('e') && stem.length > 4) stem = stem.slice(0, -1);
  // runn → run, stopp → stop
  if (/([bdgmnprt])\1$/.test(stem)) stem = stem.slice(0, -1);
  return stem;
}

function canonicalWord(word: string): string {
  const direct = SYNONYMS.get(word) ?? word;
  const stem = stemWord(direct);
  return SYNONYMS.get(stem) ?? stem;
}

/** The content terms of a question, in order (see the module comment). */
export function questionTerms(text: string): string[] {
  let folded = text.normalize('NFKC').toLowerCase().replace(/[’‘`]/g, "'");
  for (const [pattern, replacement] of CONTRACTIONS) folded = folded.replace(pattern, replacement);
  for (const [pattern, replacement] of PHRASES) folded = folded.replace(pattern, replacement);
  const terms: string[] = [];
  for (const match of folded.matchAll(TOKEN_PATTERN)) {
    const word = match[0].replace(/'/g, '');
    if (FUNCTION_WORDS.has(word)) continue;
    const canonical = canonicalWord(word);
    if (!FUNCTION_WORDS.has(canonical)) terms.push(canonical);
  }
  return terms;
}
