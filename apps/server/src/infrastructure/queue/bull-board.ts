import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Queue } from 'bullmq';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type AppConfig } from '../../config';
import { safeEqual } from '../../common/auth/admin.guard';
import { closeRedisClient, createRedisClient, redisTarget } from '../redis/redis-connection';
import { QUEUE_NAME, queuePrefix } from './create-queue';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Bull Board at /admin/queues (QUEUE_DRIVER=bullmq and ADMIN_TOKEN set): the dashboard reads the
 * same BullMQ queue as the adapter (name `ai-scale`, QUEUE_PREFIX, `{QUEUE_PREFIX}` on a Redis Cluster)
 * through its own connection, so
 * no BullMQ type crosses the JobQueue port. Access: `Authorization: Bearer <ADMIN_TOKEN>`, or HTTP
 * Basic with the admin token as password (so a browser can open it).
 */
export async function registerBullBoard(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const target = redisTarget(config);
  if (config.QUEUE_DRIVER !== 'bullmq' || !config.ADMIN_TOKEN || !target) return;
  const adminToken = config.ADMIN_TOKEN;
  // Its own client (a Cluster client on a Cluster), closed with the server; BullMQ needs
  // maxRetriesPerRequest: null, and a dashboard request must fail fast while Redis is down.
  const client = createRedisClient(target, { maxRetriesPerRequest: null, enableOfflineQueue: false });
  client.on('error', () => undefined);
  const queue = new Queue(QUEUE_NAME, { prefix: queuePrefix(config, target), connection: client });
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
    await closeRedisClient(client);
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
