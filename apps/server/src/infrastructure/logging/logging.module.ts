import { type DynamicModule, Module } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { type DestinationStream, destination as pinoDestination } from 'pino';
import pinoPretty from 'pino-pretty';
import { LOG_REDACT_PATHS } from '@ai-scale/telemetry';
import { type AppConfig } from '../../config';

/**
 * What never reaches a log line: the credentials of `LOG_REDACT_PATHS` (Authorization, Cookie and
 * X-Api-Key request headers as pino-http logs them; apiKey/password fields of logged objects) and
 * the server's own: the admin token header, proxy credentials, cookies a response sets.
 */
export const REQUEST_LOG_REDACT_PATHS: readonly string[] = [
  ...LOG_REDACT_PATHS,
  'req.headers["x-admin-token"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/** The trace and span ids of the active span, so every log line joins its trace. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Human-readable lines for a terminal: LOG_FORMAT=pretty, or `auto` with stdout a TTY. */
export function usesPrettyLogs(
  config: Pick<AppConfig, 'LOG_FORMAT'>,
  stdoutIsTty = process.stdout.isTTY === true,
): boolean {
  return config.LOG_FORMAT === 'pretty' || (config.LOG_FORMAT === 'auto' && stdoutIsTty);
}

/**
 * pino-pretty in this thread, writing synchronously (`sync: true`, not a worker-thread transport):
 * log lines and the start-up banner (written to stdout after listen) come out in the order they
 * were produced, so the banner stays the last thing printed at start-up.
 */
function prettyDestination(): DestinationStream {
  return pinoPretty({
    sync: true,
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    // `[NestApplication] Nest application successfully started`: the context leads, the rest stays.
    ignore: 'pid,hostname,service,role,context',
    messageFormat: '{if context}[{context}] {end}{msg}',
    singleLine: true,
  });
}

/**
 * Structured JSON logs (pino) with trace ids, or readable lines in a terminal (see
 * `usesPrettyLogs`); request logs skip the health and metrics probes.
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: withDestination(config, {
            level: config.LOG_LEVEL,
            base: { service: config.OTEL_SERVICE_NAME, role: config.ROLE },
            mixin: traceFields,
            redact: {
              paths: [...REQUEST_LOG_REDACT_PATHS],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
            customProps: (request) => {
              const tenantId = (request as { tenantId?: string }).tenantId;
              return tenantId ? { tenant_id: tenantId } : {};
            },
          }),
        }),
      ],
    };
  }
}

/** The JSON writer: pino's asynchronous stdout writer (a burst of logs never blocks a request). */
let jsonDestination: ReturnType<typeof pinoDestination> | undefined;

function withDestination<Options>(config: AppConfig, options: Options): [Options, DestinationStream] {
  if (usesPrettyLogs(config)) return [options, prettyDestination()];
  jsonDestination ??= pinoDestination({ dest: 1, sync: false });
  return [options, jsonDestination];
}

/**
 * Writes text to stdout after every log line written so far: through the JSON writer itself when
 * there is one (its writes are asynchronous, so a direct stdout write would overtake them).
 */
export function writeAfterLogs(text: string): void {
  if (jsonDestination) jsonDestination.write(text);
  else process.stdout.write(text);
}
