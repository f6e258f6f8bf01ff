export { TelemetryError } from './telemetry.error';
export { InvalidTelemetryConfigError } from './invalid-telemetry-config.error';
export { TelemetryAlreadyStartedError } from './telemetry-already-started.error';
