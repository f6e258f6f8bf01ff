import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig } from '../config';

/** Prints where the server answers once it listens. */
export async function onListening(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.PORT;
  const base = `http://localhost:${port}`;
  process.stdout.write(
    [
      `ai-scale ${config.ROLE} listening on ${base}`,
      `  health   ${base}/health/ready`,
      `  docs     ${base}/docs`,
      `  metrics  ${base}/metrics`,
      '',
    ].join('\n'),
  );
}
