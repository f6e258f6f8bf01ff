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
   * The kind of answer asked for, read from the main question word (see `questionTypeOf`): a
   * person (`who`), a time (`when`, `what time`), a place (`where`), a cause (`why`), a count
   * (`how many`), an amount (`how much`), a duration (`how long`), a frequency (`how often`), else
   * `other` (how-to, what, which, yes/no). Two questions share an answer only with the same type:
   * "When is my subscription renewed?" is not "Where is my subscription renewed?".
   */
  readonly questionType: QuestionType;
  /**
   * Units in the order they appear (`mb`, `gb`, `second`, `minute`, `km`, `mile`, `usd`, `eur`...):
   * "10 MB" is not "10 GB", and "10 km in miles" is not "10 miles in km".
   */
  readonly units: readonly string[];
  /** Lower-cased tokens, for the entity containment check. */
  readonly tokens: readonly string[];
}

export type QuestionType =
  'person' | 'time' | 'place' | 'why' | 'count' | 'amount' | 'duration' | 'frequency' | 'other';

export type KeyTermDifference = 'number' | 'date' | 'unit' | 'negation' | 'entity' | 'opposite' | 'question';

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
  // typed without the apostrophe
  'cant', 'dont', 'doesnt', 'didnt', 'isnt', 'arent', 'wasnt', 'werent', 'wont', 'wouldnt', 'shouldnt',
  'couldnt', 'havent', 'hasnt',
]);

/** Pairs of opposite meanings; each side lists its spellings. */
// prettier-ignore
const OPPOSITES: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [['before'], ['after']],
  [['more', 'most'], ['less', 'fewer', 'least']],
  [['above'], ['below']],
  [['increase', 'increases', 'raise', 'raising', 'increasing', 'higher'], ['decrease', 'decreases', 'lower', 'reduce', 'decreasing', 'reducing']],
  [['upgrade', 'upgrading', 'upgrades'], ['downgrade', 'downgrading', 'downgrades']],
  [['enable', 'enabled', 'enabling', 'activate', 'activating'], ['disable', 'disabled', 'disabling', 'deactivate', 'deactivating']],
  [['add', 'adding', 'adds'], ['remove', 'removing', 'removes']],
  [['import', 'importing', 'imports'], ['export', 'exporting', 'exports']],
  [['upload', 'uploading', 'uploads'], ['download', 'downloading', 'downloads']],
  [['start', 'starting', 'starts'], ['stop', 'stopping', 'stops']],
  [['open', 'opening'], ['close', 'closing']],
  [['buy', 'buying', 'purchase', 'purchasing'], ['sell', 'selling']],
  [['max', 'maximum', 'largest', 'biggest', 'highest', 'longest'], ['min', 'minimum', 'smallest', 'lowest', 'shortest']],
  [['fastest', 'faster', 'speed'], ['slowest', 'slower', 'slow']],
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
  [['include', 'including', 'includes', 'cover', 'covers', 'covered'], ['exclude', 'excluding', 'excludes']],
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
  [['join', 'joining', 'joins'], ['leave', 'leaving', 'leaves']],
  [['grant', 'granting', 'grants'], ['revoke', 'revoking', 'revokes']],
  [['expand', 'expanding'], ['collapse', 'collapsing']],
  [['show', 'showing', 'unhide'], ['hide', 'hiding']],
  [['merge', 'merging', 'merges'], ['split', 'splitting', 'splits']],
  [['pause', 'pausing', 'paused'], ['resume', 'resuming', 'resumed']],
  [['succeed', 'succeeds', 'success', 'successful'], ['fail', 'failure']],
  [['in'], ['out']],
  [['on'], ['off']],
  [['up'], ['down']],
];

/**
 * Units, canonical names. Two questions must name the same units in the same order: "10 MB" is not
 * "10 GB", "30 seconds" is not "30 minutes", "10 km in miles" is not "10 miles in km".
 */
// prettier-ignore
const UNITS: Readonly<Record<string, string>> = {
  ms: 'ms', millisecond: 'ms', milliseconds: 'ms', sec: 'second', secs: 'second', seconds: 'second',
  min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute', hr: 'hour', hrs: 'hour',
  hour: 'hour', hours: 'hour', day: 'day', days: 'day', week: 'week', weeks: 'week', month: 'month',
  months: 'month', year: 'year', years: 'year', b: 'byte', byte: 'byte', bytes: 'byte', kb: 'kb',
  kilobyte: 'kb', kilobytes: 'kb', mb: 'mb', megabyte: 'mb', megabytes: 'mb', gb: 'gb', gigabyte: 'gb',
  gigabytes: 'gb', tb: 'tb', terabyte: 'tb', terabytes: 'tb', km: 'km', kilometer: 'km',
  kilometers: 'km', kilometre: 'km', kilometres: 'km', mile: 'mile', miles: 'mile', mi: 'mile',
  kg: 'kg', kilogram: 'kg', kilograms: 'kg', kilo: 'kg', kilos: 'kg', lb: 'pound', lbs: 'pound',
  pound: 'pound', pounds: 'pound', celsius: 'celsius', fahrenheit: 'fahrenheit', kelvin: 'kelvin',
  usd: 'usd', dollar: 'usd', dollars: 'usd', eur: 'eur', euro: 'eur', euros: 'eur', gbp: 'gbp',
  percent: 'percent', token: 'token', tokens: 'token', character: 'character', characters: 'character',
  chars: 'character', word: 'word', words: 'word', page: 'page', pages: 'page', ghz: 'ghz', mhz: 'mhz',
};
const TIME_UNITS = new Set(['ms', 'second', 'minute', 'hour', 'day', 'week', 'month', 'year']);
/** A prefix that turns a word into its opposite: archive/unarchive, connect/disconnect, visible/invisible. */
const NEGATING_PREFIXES = ['un', 'dis', 'in', 'im', 'non'];
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

const SUBJECT_WORDS = new Set([
  'i',
  'you',
  'we',
  'they',
  'he',
  'she',
  'it',
  'my',
  'our',
  'your',
  'the',
  'a',
  'an',
  'this',
  'someone',
  'people',
  'users',
]);
const TIME_NOUNS = new Set(['time', 'date', 'day', 'year', 'month', 'hour', 'hours']);
const HOW_TYPES: Readonly<Record<string, QuestionType>> = {
  many: 'count',
  much: 'amount',
  long: 'duration',
  often: 'frequency',
  soon: 'time',
  old: 'duration',
};

/**
 * The type of the main question word. A `when`/`where`/`if` that opens a clause with its own subject
 * ("When I upload a file, how long until...") is not the question word; the next one is.
 */
function questionTypeOf(tokens: readonly Token[]): QuestionType {
  for (let index = 0; index < tokens.length; index++) {
    const word = (tokens[index] as Token).lower;
    const next = tokens[index + 1]?.lower;
    const subordinate = next !== undefined && SUBJECT_WORDS.has(next) && index === 0 && tokens.length > 4;
    switch (word) {
      case 'who':
      case 'whom':
      case 'whose':
        return 'person';
      case 'why':
        return 'why';
      case 'when':
        if (subordinate) continue;
        return 'time';
      case 'where':
      case 'wheres':
        if (subordinate) continue;
        return 'place';
      case 'what':
      case 'which':
        if (next !== undefined && TIME_NOUNS.has(next) && tokens[index + 2]?.lower !== 'zone') return 'time';
        return 'other';
      case 'how': {
        const type = next === undefined ? undefined : HOW_TYPES[next];
        return type ?? 'other';
      }
      default:
        break;
    }
  }
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
  const units: string[] = [];
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
    const unit = UNITS[lower];
    // A period is a unit after a number or "per" ("30 days", "per month"); alone ("in what year")
    // it says what is asked, not how much. "second" alone is an ordinal.
    const previous = tokens[index - 1]?.lower;
    const counted =
      previous !== undefined &&
      (/^\d/.test(previous) || previous === 'per' || SPELLED_NUMBERS[previous] !== undefined);
    if (unit !== undefined && (!TIME_UNITS.has(unit) || counted)) units.push(unit);
    else if (/^\d+(ms|s|kb|mb|gb|tb|km|kg|%)$/.test(lower))
      units.push(UNITS[lower.replace(/^\d+/, '')] ?? lower.replace(/^\d+/, ''));
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
    units,
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
 * "How much does the Pro plan cost?" asks what "What is the price of the Pro plan?" asks, so an
 * amount matches an open question; every other type only matches itself.
 */
function compatibleTypes(left: QuestionType, right: QuestionType): boolean {
  if (left === right) return true;
  const loose = new Set<QuestionType>(['amount', 'other']);
  return loose.has(left) && loose.has(right);
}

/** One side has `unX`, `disX`, `inX`... where the other has `X` (and not the prefixed word). */
function negatedByPrefix(tokens: ReadonlySet<string>, otherTokens: ReadonlySet<string>): boolean {
  for (const token of tokens) {
    if (otherTokens.has(token)) continue;
    for (const prefix of NEGATING_PREFIXES) {
      const base = token.slice(prefix.length);
      if (token.startsWith(prefix) && base.length >= 4 && otherTokens.has(base) && !tokens.has(base))
        return true;
    }
  }
  return false;
}

/**
 * Returns the first kind of key term on which two questions differ, or `null` when they agree and may
 * share an answer.
 */
export function compareKeyTerms(left: KeyTerms, right: KeyTerms): KeyTermDifference | null {
  if (!sameSet(left.numbers, right.numbers)) return 'number';
  if (!sameSet(left.dates, right.dates)) return 'date';
  if (!sameSet(left.units, right.units)) return 'unit';
  if (left.negations !== right.negations) return 'negation';
  const leftTokens = new Set(left.tokens);
  const rightTokens = new Set(right.tokens);
  if (
    !entitiesCovered(left.entities, rightTokens, right.tokens.join(' ')) ||
    !entitiesCovered(right.entities, leftTokens, left.tokens.join(' '))
  ) {
    return 'entity';
  }
  if (!compatibleTypes(left.questionType, right.questionType)) return 'question';
  if (
    contradicts(left.opposites, right.opposites) ||
    contradicts(right.opposites, left.opposites) ||
    negatedByPrefix(leftTokens, rightTokens) ||
    negatedByPrefix(rightTokens, leftTokens)
  )
    return 'opposite';
  return null;
}
