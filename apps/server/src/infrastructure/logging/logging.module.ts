import { type DynamicModule, Module } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { LoggerModule } from 'nestjs-pino';
import { type AppConfig } from '../../config';

/** The trace and span ids of the active span, so every log line joins its trace. */
export function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Structured JSON logs (pino) with trace ids; request logs skip the health and metrics probes. */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            base: { service: config.OTEL_SERVICE_NAME, role: config.ROLE },
            mixin: traceFields,
            redact: {
              paths: ['req.headers.authorization', 'req.headers["x-admin-token"]'],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (request) => /^\/(health|metrics)/.test(request.url ?? '') },
            customProps: (request) => {
              const tenantId = (request as { tenantId?: string }).tenantId;
              return tenantId ? { tenant_id: tenantId } : {};
            },
          },
        }),
      ],
    };
  }
}
