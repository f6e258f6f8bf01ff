import { type DynamicModule, Global, Inject, Module } from '@nestjs/common';
import { type AppConfig } from './config.schema';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const InjectConfig = (): PropertyDecorator & ParameterDecorator => Inject(APP_CONFIG);

/** Makes the configuration parsed at boot injectable everywhere (`@InjectConfig() config: AppConfig`). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
