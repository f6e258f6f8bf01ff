export {
  RoutingLlmGateway,
  createLlmGateway,
  type ModelDefinition,
  type ProviderRegistration,
  type RetryOptions,
  type RoutingLlmGatewayOptions,
  type TenantBudget,
  type TenantLimits,
} from './routing-llm-gateway';
export {
  TierRouter,
  DEFAULT_TIER_RULES,
  type TierRules,
  type TierDecision,
  type RoutableRequest,
} from './tier-router';
export {
  ProviderGuard,
  type ProviderLimits,
  type BreakerOptions,
  type BreakerStateName,
} from './provider-guard';
export { TokenBucket } from './token-bucket';
export { trimToBudget, type TrimResult } from './trim';
