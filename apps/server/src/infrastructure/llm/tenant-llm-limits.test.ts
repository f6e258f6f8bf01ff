import { parseConfig } from '../../config';
import { TenantLlmLimits } from './tenant-llm-limits';

describe('TenantLlmLimits without a tenant row', () => {
  it('falls back to the server defaults, with the configured over-budget policy', async () => {
    const limits = new TenantLlmLimits(
      undefined,
      parseConfig({
        LLM_TENANT_BUDGET_USD: '12',
        LLM_TENANT_TOKENS_PER_MINUTE: '5000',
        LLM_BUDGET_ON_EXCEEDED: 'downgrade',
      }),
    );
    expect(await limits.budget('t')).toEqual({ monthlyUsd: 12, onExceeded: 'downgrade' });
    expect(await limits.limits('t')).toEqual({ tokensPerMinute: 5000 });
    const none = new TenantLlmLimits(undefined, parseConfig({}));
    expect(await none.budget('t')).toBeUndefined();
    expect(await none.limits('t')).toBeUndefined();
    expect(() => parseConfig({ LLM_BUDGET_ON_EXCEEDED: 'ignore' })).toThrow(/LLM_BUDGET_ON_EXCEEDED/);
  });
});
