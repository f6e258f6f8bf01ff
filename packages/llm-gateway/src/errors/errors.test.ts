import { AiScaleError } from '@ai-scale/errors';
import {
  BudgetExceededError,
  ContextWindowExceededError,
  InvalidLlmRequestError,
  LlmGatewayError,
  ProviderRateLimitedError,
  ProviderUnavailableError,
} from './index';

describe('llm-gateway errors', () => {
  it('extend AiScaleError and LlmGatewayError, recognised by marker', () => {
    const error = new ProviderUnavailableError({ message: 'down', provider: 'openai' });
    expect(AiScaleError.isInstance(error)).toBe(true);
    expect(LlmGatewayError.isInstance(error)).toBe(true);
    expect(LlmGatewayError.isInstance(new Error('x'))).toBe(false);
    expect(error.isRetryable).toBe(true);
    expect(error.toJSON()).toEqual({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'down',
      category: 'THIRD_PARTY',
      details: { provider: 'openai' },
    });
  });

  it('carry their structured facts', () => {
    const limited = new ProviderRateLimitedError({ message: '429', retryAfterMs: 1500 });
    expect(limited.retryAfterMs).toBe(1500);
    expect(limited.isRetryable).toBe(true);
    const budget = new BudgetExceededError({
      message: 'over',
      tenantId: 't',
      period: 'day',
      limitUsd: 1,
      spentUsd: 2,
    });
    expect(budget.isRetryable).toBe(false);
    expect(budget.details).toMatchObject({ tenantId: 't', period: 'day', limitUsd: 1, spentUsd: 2 });
    expect(
      new ContextWindowExceededError({ message: 'big', promptTokens: 9, limitTokens: 8 }).isRetryable,
    ).toBe(false);
    expect(new InvalidLlmRequestError({ message: 'bad' }).category).toBe('USER');
  });
});
