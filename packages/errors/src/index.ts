export { AiScaleError, type AiScaleErrorOptions, type ErrorCategory } from './ai-scale-error';
