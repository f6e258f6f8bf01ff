/**
 * The false-hit guard of the semantic cache. Embeddings place "refund within 14 days" and "refund
 * within 30 days" almost on top of each other; their answers differ. After a vector match, the two
 * questions must carry the same key terms, extracted here by rules (no model):
 * - numbers: digits (`1,000` = `1000`), ordinals (`3rd`), spelled numbers (`two`, `twice`, `first`);
 * - dates and periods: month and weekday names, ISO dates, `today`/`tomorrow`/`yesterday`,
 *   `next week`, `last year`, `Q3`, `monthly`/`annual`...;
 * - negations: `not`, `no`, `never`, `without`, `cannot`, every `n't`, `unable`, `except`...
 *   (the counts must be equal);
 * - named entities and identifiers: capitalised words not at a sentence start (or at one but not a
 *   common word), acronyms (`SSO`), inner capitals (`OpenAI`), tokens mixing letters and digits
 *   (`gpt-4o`, `us-east-1`, `S3`), snake_case and dotted names, quoted strings. Each entity of one
 *   question must appear (case-insensitively) in the other;
 * - opposites: a question with `upload` does not match one with `download` (a fixed list of pairs);
 * - question type: a "why" or "how many" question only matches one of the same type.
 *
 * Limits (see README): entities typed in lower case ("capital of france") are invisible to it, as
 * are synonyms of numbers ("a dozen" vs "12") and paraphrased opposites outside the list.
 */

export interface KeyTerms {
  readonly numbers: readonly string[];
  readonly dates: readonly string[];
  readonly negations: number;
  readonly entities: readonly string[];
  readonly opposites: readonly string[];
  /**
   * The kind of answer asked for when it is unmistakable: `why` (a cause, never the steps a "how"
   * question wants), `count` ("how many": a number, never a name), else `other`.
   */
  readonly questionType: 'why' | 'count' | 'other';
  /** Lower-cased tokens, for the entity containment check. */
  readonly tokens: readonly string[];
}

export type KeyTermDifference = 'number' | 'date' | 'negation' | 'entity' | 'opposite' | 'question';

// prettier-ignore
const SPELLED_NUMBERS: Readonly<Record<string, string>> = {
  zero: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8',
  nine: '9', ten: '10', eleven: '11', twelve: '12', thirteen: '13', fourteen: '14', fifteen: '15',
  sixteen: '16', seventeen: '17', eighteen: '18', nineteen: '19', twenty: '20', thirty: '30',
  forty: '40', fifty: '50', sixty: '60', seventy: '70', eighty: '80', ninety: '90', hundred: '100',
  thousand: '1000', million: '1000000', billion: '1000000000', first: '1', second: '2', third: '3',
  fourth: '4', fifth: '5', sixth: '6', seventh: '7', eighth: '8', ninth: '9', tenth: '10',
  once: '1', twice: '2', thrice: '3', single: '1', double: '2', triple: '3', half: '0.5', dozen: '12',
};

// prettier-ignore
const MONTHS: Readonly<Record<string, string>> = {
  january: 'january', jan: 'january', february: 'february', feb: 'february', march: 'march',
  april: 'april', apr: 'april', may: 'may', june: 'june', jun: 'june', july: 'july', jul: 'july',
  august: 'august', aug: 'august', september: 'september', sep: 'september', sept: 'september',
  october: 'october', oct: 'october', november: 'november', nov: 'november', december: 'december',
  dec: 'december',
};

// prettier-ignore
const DATE_WORDS = new Set([
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday', 'today', 'tomorrow',
  'yesterday', 'tonight', 'weekend', 'weekday', 'weekdays', 'morning', 'afternoon', 'evening',
  'midnight', 'noon', 'spring', 'summer', 'autumn', 'winter', 'daily', 'weekly', 'monthly', 'yearly',
  'annual', 'annually', 'hourly', 'quarterly', 'biweekly', 'q1', 'q2', 'q3', 'q4', 'h1', 'h2',
]);
const RELATIVE = new Set(['last', 'next', 'this', 'previous', 'coming', 'past']);
const PERIODS = new Set(['day', 'week', 'month', 'year', 'quarter', 'decade', 'century', 'hour', 'minute']);

// prettier-ignore
const NEGATIONS = new Set([
  'not', 'no', 'never', 'none', 'nobody', 'nothing', 'neither', 'nor', 'without', 'cannot', 'unable',
  'except', 'excluding', 'unless', 'nowhere', 'lacks', 'lacking', 'fails', 'failed',
]);

/** Pairs of opposite meanings; each side lists its spellings. */
// prettier-ignore
const OPPOSITES: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [['before'], ['after']],
  [['more', 'most'], ['less', 'fewer', 'least']],
  [['above'], ['below']],
  [['increase', 'increases', 'raise', 'raising', 'increasing'], ['decrease', 'decreases', 'lower', 'reduce', 'decreasing', 'reducing']],
  [['upgrade', 'upgrading', 'upgrades'], ['downgrade', 'downgrading', 'downgrades']],
  [['enable', 'enabled', 'enabling', 'activate', 'activating'], ['disable', 'disabled', 'disabling', 'deactivate', 'deactivating']],
  [['add', 'adding', 'adds'], ['remove', 'removing', 'removes']],
  [['import', 'importing', 'imports'], ['export', 'exporting', 'exports']],
  [['upload', 'uploading', 'uploads'], ['download', 'downloading', 'downloads']],
  [['start', 'starting', 'starts'], ['stop', 'stopping', 'stops']],
  [['open', 'opening'], ['close', 'closing']],
  [['buy', 'buying', 'purchase', 'purchasing'], ['sell', 'selling']],
  [['max', 'maximum', 'largest', 'biggest', 'highest', 'longest'], ['min', 'minimum', 'smallest', 'lowest', 'shortest']],
  [['fastest', 'faster'], ['slowest', 'slower']],
  [['cheapest', 'cheaper'], ['expensive', 'pricier']],
  [['inbound', 'incoming', 'ingress'], ['outbound', 'outgoing', 'egress']],
  [['input', 'inputs'], ['output', 'outputs']],
  [['allow', 'allowed', 'permit', 'whitelist', 'allowlist'], ['block', 'blocked', 'deny', 'denied', 'blacklist', 'blocklist']],
  [['encrypt', 'encrypting', 'encryption'], ['decrypt', 'decrypting', 'decryption']],
  [['public'], ['private']],
  [['read', 'reading', 'reads'], ['write', 'writing', 'writes']],
  [['send', 'sending', 'sends'], ['receive', 'receiving', 'receives']],
  [['login', 'log-in', 'signin', 'sign-in'], ['logout', 'log-out', 'signout', 'sign-out']],
  [['subscribe', 'subscribing'], ['unsubscribe', 'unsubscribing']],
  [['include', 'including', 'includes'], ['exclude', 'excluding', 'excludes']],
  [['push', 'pushing'], ['pull', 'pulling']],
  [['accept', 'accepted', 'approve', 'approved'], ['reject', 'rejected', 'decline', 'declined']],
  [['internal'], ['external']],
  [['true'], ['false']],
  [['positive'], ['negative']],
  [['hot'], ['cold']],
  [['north', 'northern'], ['south', 'southern']],
  [['east', 'eastern'], ['west', 'western']],
  [['lock', 'locking'], ['unlock', 'unlocking']],
  [['first', 'earliest', 'oldest'], ['last', 'latest', 'newest']],
];
const OPPOSITE_SIDE = new Map<string, string>();
OPPOSITES.forEach(([left, right], index) => {
  for (const word of left) OPPOSITE_SIDE.set(word, `${index}a`);
  for (const word of right) OPPOSITE_SIDE.set(word, `${index}b`);
});

/**
 * Words that start sentences or appear capitalised without naming anything. A capitalised word at a
 * sentence start is an entity only when it is not one of these.
 */
const COMMON_WORDS = new Set(
  `a an the i i'm i've i'd i'll me my mine we our us you your it its it's they their them he she his her
  this that these those there here what what's whats how how's why when where which who whom whose
  is are was were be been being am do does did done have has had having can could should would will
  shall may might must need ought let let's please hi hello hey thanks thank okay ok yes so if then
  and or but also just now still again then in on at to for from of by with about into onto over
  under after before between during through per via as any all some every each many much most more
  few several other another such same new old good best better quick quickly tell show list give
  explain describe find get set make use using help check compare calculate convert write create
  delete remove add change update reset cancel enable disable turn configure install run stop start
  open close send look see try want know is there can't cannot don't doesn't isn't aren't won't
  didn't shouldn't wouldn't couldn't hasn't haven't not no never`.split(/\s+/),
);

const TOKEN_PATTERN = /[\p{L}\p{N}](?:[\p{L}\p{N}'’._/-]*[\p{L}\p{N}])?/gu;
const QUOTED_PATTERN = /["“`]([^"”`]{2,80})["”`]/g;

interface Token {
  readonly text: string;
  readonly lower: string;
  readonly sentenceStart: boolean;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let sentenceStart = true;
  let last = 0;
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const between = text.slice(last, match.index);
    if (/[.!?:;\n]\s*$/.test(between) || /[.!?]\s/.test(between)) sentenceStart = true;
    const raw = match[0].replace(/’/g, "'").replace(/[.]+$/, '');
    tokens.push({ text: raw, lower: raw.toLowerCase(), sentenceStart });
    sentenceStart = false;
    last = (match.index ?? 0) + match[0].length;
  }
  return tokens;
}

function questionTypeOf(tokens: readonly Token[]): KeyTerms['questionType'] {
  if (tokens.some((token) => token.lower === 'why')) return 'why';
  if (tokens.some((token, index) => token.lower === 'how' && tokens[index + 1]?.lower === 'many'))
    return 'count';
  return 'other';
}

function canonicalNumber(text: string): string {
  const value = Number(text.replace(/,/g, ''));
  return Number.isFinite(value) ? String(value) : text;
}

function isIdentifier(lower: string): boolean {
  return (
    (/\d/.test(lower) && /\p{L}/u.test(lower)) || /[a-z]_[a-z0-9]/.test(lower) || /[a-z]\.[a-z]/.test(lower)
  );
}

function isEntity(token: Token): boolean {
  const { text, lower } = token;
  if (!/\p{Lu}/u.test(text)) return false;
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 2 && letters === letters.toUpperCase()) return !COMMON_WORDS.has(lower); // SSO, EU
  if (/\p{Ll}\p{Lu}/u.test(text)) return true; // OpenAI, iPhone, GitHub
  if (COMMON_WORDS.has(lower)) return false;
  return true;
}

export function extractKeyTerms(text: string): KeyTerms {
  const normalized = text.normalize('NFKC');
  const tokens = tokenize(normalized);
  const numbers = new Set<string>();
  const dates = new Set<string>();
  const entities = new Set<string>();
  const opposites = new Set<string>();
  let negations = 0;

  tokens.forEach((token, index) => {
    const { lower } = token;
    const next = tokens[index + 1]?.lower;
    if (/^\d{4}-\d{2}-\d{2}$/.test(lower)) {
      dates.add(lower);
    } else if (/^\d[\d,]*(\.\d+)?$/.test(lower)) {
      numbers.add(canonicalNumber(lower));
    } else if (/^\d+(st|nd|rd|th)$/.test(lower)) {
      numbers.add(String(parseInt(lower, 10)));
    } else if (
      SPELLED_NUMBERS[lower] !== undefined &&
      !(lower === 'second' && next !== undefined && PERIODS.has(next))
    ) {
      numbers.add(SPELLED_NUMBERS[lower] as string);
    } else if (DATE_WORDS.has(lower)) {
      dates.add(lower);
    } else if (
      MONTHS[lower] !== undefined &&
      (lower !== 'may' || (token.text === 'May' && !token.sentenceStart))
    ) {
      dates.add(MONTHS[lower] as string);
    } else if (RELATIVE.has(lower) && next !== undefined && (PERIODS.has(next) || DATE_WORDS.has(next))) {
      dates.add(`${lower} ${next}`);
    } else if (isIdentifier(lower)) {
      entities.add(lower);
    } else if (isEntity(token)) {
      entities.add(lower);
    }
    if (NEGATIONS.has(lower) || lower.endsWith("n't")) negations++;
    const side = OPPOSITE_SIDE.get(lower);
    if (side !== undefined) opposites.add(side);
  });
  for (const match of normalized.matchAll(QUOTED_PATTERN)) {
    const phrase = (match[1] as string).trim().toLowerCase();
    if (phrase.length > 0) entities.add(phrase);
  }
  return {
    numbers: [...numbers].sort(),
    dates: [...dates].sort(),
    negations,
    entities: [...entities].sort(),
    opposites: [...opposites].sort(),
    questionType: questionTypeOf(tokens),
    tokens: tokens.map((token) => token.lower),
  };
}

function sameSet(left: readonly string[], right: readonly string[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

function entitiesCovered(entities: readonly string[], otherTokens: Set<string>, otherText: string): boolean {
  return entities.every((entity) =>
    entity.includes(' ') ? otherText.includes(entity) : otherTokens.has(entity),
  );
}

/** One side says X where the other says the opposite of X (and not X itself). */
function contradicts(sides: readonly string[], otherSides: readonly string[]): boolean {
  return sides.some((side) => {
    const opposite = `${side.slice(0, -1)}${side.endsWith('a') ? 'b' : 'a'}`;
    return otherSides.includes(opposite) && !otherSides.includes(side);
  });
}

/**
 * Returns the first kind of key term on which two questions differ, or `null` when they agree and may
 * share an answer.
 */
export function compareKeyTerms(left: KeyTerms, right: KeyTerms): KeyTermDifference | null {
  if (!sameSet(left.numbers, right.numbers)) return 'number';
  if (!sameSet(left.dates, right.dates)) return 'date';
  if (left.negations !== right.negations) return 'negation';
  const leftTokens = new Set(left.tokens);
  const rightTokens = new Set(right.tokens);
  if (
    !entitiesCovered(left.entities, rightTokens, right.tokens.join(' ')) ||
    !entitiesCovered(right.entities, leftTokens, left.tokens.join(' '))
  ) {
    return 'entity';
  }
  if (left.questionType !== right.questionType) return 'question';
  if (contradicts(left.opposites, right.opposites) || contradicts(right.opposites, left.opposites))
    return 'opposite';
  return null;
}
