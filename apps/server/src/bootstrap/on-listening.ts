import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type AppConfig } from '../config';
import { writeAfterLogs } from '../infrastructure/logging/logging.module';
import { DemoSeeder } from './demo-seeder';

/**
 * Prints where the server answers once it listens (and, in embedded mode, the demo tenant's key):
 * the last thing start-up prints, queued behind the log lines already written.
 */
export async function onListening(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.PORT;
  const base = `http://localhost:${port}`;
  const lines = [
    '',
    `ai-scale (${config.ROLE}) listening on ${base}`,
    `  web page  ${base}/`,
    `  API docs  ${base}/docs`,
    `  health    ${base}/health/ready`,
    `  metrics   ${base}/metrics`,
  ];
  if (config.demoTenant) {
    const demo = app.get(DemoSeeder, { strict: false });
    lines.push(
      `  demo API key  ${demo.apiKey ?? '(not created)'}   (also in ${config.DATA_DIR}/demo-api-key.txt)`,
      `  try: curl -s -X POST ${base}/v1/chat -H "Authorization: Bearer ${demo.apiKey ?? '<key>'}" -H 'content-type: application/json' -d '{"message":"What is ai-scale?"}'`,
    );
    if (demo.documentsQueued > 0)
      lines.push(`  ingesting ${demo.documentsQueued} documents from docs/ in the background`);
  }
  writeAfterLogs(`${lines.join('\n')}\n\n`);
}
