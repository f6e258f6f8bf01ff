import type { ModelTier } from '../ports/llm-gateway';
import type { ChatMessage, ContextPassage, ResponseFormat, ToolDefinition } from '../ports/llm-provider';

/** What the router sees of a request. */
export interface RoutableRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  readonly responseFormat?: ResponseFormat;
  readonly context?: readonly ContextPassage[];
  /** Estimated prompt tokens (messages, context, tools); may be passed to `classify` apart instead. */
  readonly promptTokens?: number;
}

/**
 * The rule set that classifies a request as `large` (complex) or `small` (simple). A request is
 * large when ANY rule matches; everything else goes to the small, cheaper model ("use smaller
 * models where possible"). Every rule is optional.
 */
export interface TierRules {
  /** Prompt at or above this many tokens. Default 2,000. */
  readonly minPromptTokens?: number;
  /** Last user message at or above this many characters. Default 1,200. */
  readonly minQuestionChars?: number;
  /** Words or phrases in the last user message (case-insensitive) that mark reasoning-heavy work. */
  readonly keywords?: readonly string[];
  /** Requests with tools go large. Default true. */
  readonly toolsPresent?: boolean;
  /** Requests that ask for a JSON schema go large. Default false. */
  readonly jsonSchema?: boolean;
  /** Conversations with at least this many non-system messages go large. Default 12. */
  readonly minTurns?: number;
  /** Requests with at least this many context passages go large. Default: no rule. */
  readonly minPassages?: number;
}

export const DEFAULT_TIER_RULES: Required<Omit<TierRules, 'minPassages'>> & Pick<TierRules, 'minPassages'> = {
  minPromptTokens: 2_000,
  minQuestionChars: 1_200,
  keywords: [
    'analyze',
    'analyse',
    'compare',
    'step by step',
    'prove',
    'plan',
    'refactor',
    'reason',
    'trade-off',
    'tradeoff',
    'why',
  ],
  toolsPresent: true,
  jsonSchema: false,
  minTurns: 12,
  minPassages: undefined,
};

export interface TierDecision {
  readonly tier: ModelTier;
  /** The rule that chose `large`, or `default` for small. */
  readonly reason: string;
}

export class TierRouter {
  private readonly rules: typeof DEFAULT_TIER_RULES;
  private readonly keywordPattern: RegExp | undefined;

  constructor(rules: TierRules = {}) {
    this.rules = { ...DEFAULT_TIER_RULES, ...rules };
    const keywords = this.rules.keywords.map((keyword) => keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.keywordPattern =
      keywords.length > 0 ? new RegExp(`\\b(?:${keywords.join('|')})\\b`, 'i') : undefined;
  }

  classify(request: RoutableRequest, promptTokens: number = request.promptTokens ?? 0): TierDecision {
    const rules = this.rules;
    if (promptTokens >= rules.minPromptTokens) return { tier: 'large', reason: 'minPromptTokens' };
    if (rules.toolsPresent && request.tools && request.tools.length > 0)
      return { tier: 'large', reason: 'toolsPresent' };
    if (rules.jsonSchema && request.responseFormat?.type === 'json_schema')
      return { tier: 'large', reason: 'jsonSchema' };
    if (rules.minPassages !== undefined && (request.context?.length ?? 0) >= rules.minPassages) {
      return { tier: 'large', reason: 'minPassages' };
    }
    let turns = 0;
    let question = '';
    for (const message of request.messages) {
      if (message.role !== 'system') turns++;
      if (message.role === 'user') question = message.content;
    }
    if (turns >= rules.minTurns) return { tier: 'large', reason: 'minTurns' };
    if (question.length >= rules.minQuestionChars) return { tier: 'large', reason: 'minQuestionChars' };
    if (this.keywordPattern?.test(question)) return { tier: 'large', reason: 'keywords' };
    return { tier: 'small', reason: 'default' };
  }
}
