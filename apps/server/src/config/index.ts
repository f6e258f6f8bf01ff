export { APP_CONFIG, ConfigModule, InjectConfig } from './config.module';
export {
  type AppConfig,
  ConfigValidationError,
  configSchema,
  type LlmProviderName,
  parseConfig,
} from './config.schema';
