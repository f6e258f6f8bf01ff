import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type AppConfig } from '../../config';
import { safeEqual } from '../../common/auth/admin.guard';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues (QUEUE_DRIVER=bullmq and ADMIN_TOKEN set): the dashboard reads the
 * same BullMQ queue as the adapter (name `ai-scale`, QUEUE_PREFIX) through its own connection, so
 * no BullMQ type crosses the JobQueue port. Access: `Authorization: Bearer <ADMIN_TOKEN>`, or HTTP
 * Basic with the admin token as password (so a browser can open it).
 */
export async function registerBullBoard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  if (config.QUEUE_DRIVER !== 'bullmq' || !config.ADMIN_TOKEN || !config.REDIS_URL) return;
  const adminToken = config.ADMIN_TOKEN;
  const url = new URL(config.REDIS_URL);
  const queue = new Queue('ai-scale', {
    prefix: config.QUEUE_PREFIX,
    connection: {
      host: url.hostname,
      port: Number(url.port || 6379),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.pathname.length > 1 ? { db: Number(url.pathname.slice(1)) } : {}),
      ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
      maxRetriesPerRequest: null,
      enableOfflineQueue: false,
    },
  });
  queue.on('error', () => undefined);
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(queue, { readOnlyMode: false })], serverAdapter });
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(
    async (scope) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        if (!isAdmin(request.headers.authorization, adminToken)) {
          await reply
            .status(401)
            .header('WWW-Authenticate', 'Basic realm="ai-scale admin"')
            .send({ error: { code: 'UNAUTHORIZED', message: 'missing or invalid admin token' } });
        }
      });
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: BULL_BOARD_PATH },
  );
  fastify.addHook('onClose', async () => {
    await queue.close().catch(() => undefined);
  });
}

function isAdmin(authorization: string | undefined, adminToken: string): boolean {
  if (!authorization) return false;
  const [scheme, value] = authorization.split(/\s+/, 2);
  if (!value) return false;
  if (/^bearer$/i.test(scheme ?? '')) return safeEqual(value, adminToken);
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    return safeEqual(decoded.slice(decoded.indexOf(':') + 1), adminToken);
  }
  return false;
}
