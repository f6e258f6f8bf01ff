// Probes the real services once per jest run. Tests read the result from the environment:
// AI_SCALE_REDIS=up|down and AI_SCALE_POSTGRES=up|down (worker processes inherit it).
// With REQUIRE_SERVICES=1 a missing service fails the run instead of skipping its tests.
const net = require('node:net');

function probe(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (up) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function hostPort(url, defaultPort) {
  const parsed = new URL(url);
  return [parsed.hostname || '127.0.0.1', Number(parsed.port || defaultPort)];
}

module.exports = async function globalSetup() {
  const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
  const postgresUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
  process.env.REDIS_URL = redisUrl;
  process.env.TEST_DATABASE_URL = postgresUrl;
  const [redisUp, postgresUp] = await Promise.all([
    probe(...hostPort(redisUrl, 6379)),
    probe(...hostPort(postgresUrl, 5432)),
  ]);
  process.env.AI_SCALE_REDIS = redisUp ? 'up' : 'down';
  process.env.AI_SCALE_POSTGRES = postgresUp ? 'up' : 'down';
  const missing = [!redisUp && `Redis (${redisUrl})`, !postgresUp && `PostgreSQL (${postgresUrl})`].filter(
    Boolean,
  );
  if (missing.length > 0) {
    if (process.env.REQUIRE_SERVICES === '1') {
      throw new Error(`REQUIRE_SERVICES=1 but these services do not answer: ${missing.join(', ')}`);
    }
    console.warn(`\n[ai-scale] skipping tests that need: ${missing.join(', ')} (not answering)`);
  }
};
