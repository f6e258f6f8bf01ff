import { TelemetryError } from './telemetry.error';

/**
 * `startTelemetry` was called while a previous handle is still running. OpenTelemetry's globals
 * (tracer, meter, context, propagator) exist once per process, so a second SDK would silently not
 * register; shut the first one down before starting another.
 */
export class TelemetryAlreadyStartedError extends TelemetryError {
  readonly code = 'TELEMETRY_ALREADY_STARTED';
  readonly category = 'SYSTEM' as const;

  constructor() {
    super({
      message: 'telemetry is already started in this process: call shutdown() on the running handle first',
      isRetryable: false,
    });
  }
}
