import { TelemetryError } from './telemetry.error';

/** `startTelemetry` was given a configuration that does not parse; `issues` names every bad field. */
export class InvalidTelemetryConfigError extends TelemetryError {
  readonly code = 'INVALID_TELEMETRY_CONFIG';
  readonly category = 'USER' as const;

  constructor(readonly issues: readonly string[]) {
    super({ message: `invalid telemetry configuration: ${issues.join('; ')}`, details: { issues } });
  }
}
