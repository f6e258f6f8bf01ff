import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import {
  ConfigurableModuleClass,
  type LlmModuleOptions,
  MODULE_OPTIONS_TOKEN,
} from './llm.module-definition';

export const LLM_GATEWAY = Symbol('LLM_GATEWAY');
export const USAGE_LEDGER = Symbol('USAGE_LEDGER');
export const InjectLlmGateway = (): PropertyDecorator & ParameterDecorator => Inject(LLM_GATEWAY);
export const LLM_MODELS = Symbol('LLM_MODELS');
export const InjectLlmModels = (): PropertyDecorator & ParameterDecorator => Inject(LLM_MODELS);
export const InjectUsageLedger = (): PropertyDecorator & ParameterDecorator => Inject(USAGE_LEDGER);

/** The LLM gateway over the providers of LLM_PROVIDERS, and the usage ledger tenants are billed from. */
@Global()
@Module({
  providers: [
    {
      provide: LLM_GATEWAY,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: LlmModuleOptions) => options.gateway,
    },
    {
      provide: USAGE_LEDGER,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: LlmModuleOptions) => options.ledger,
    },
    {
      provide: LLM_MODELS,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (options: LlmModuleOptions) => options.models,
    },
  ],
  exports: [LLM_GATEWAY, USAGE_LEDGER, LLM_MODELS],
})
export class LlmModule extends ConfigurableModuleClass implements OnApplicationShutdown {
  constructor(@Inject(MODULE_OPTIONS_TOKEN) private readonly options: LlmModuleOptions) {
    super();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.options.close?.();
  }
}
