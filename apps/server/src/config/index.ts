export { APP_CONFIG, ConfigModule, InjectConfig } from './config.module';
export { type AppConfig, ConfigValidationError, configSchema, parseConfig } from './config.schema';
