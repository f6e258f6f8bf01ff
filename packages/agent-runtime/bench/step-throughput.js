// Steps per second of AgentRuntime.processRun on each CheckpointStore: what durability costs.
// Run from the repository root after building: `node packages/agent-runtime/bench/step-throughput.js [runs]`
// (needs PostgreSQL on 127.0.0.1:5432 for the last line; a throwaway database is created and dropped).
const path = require('node:path');
const req = (m) => require(require.resolve(m, { paths: [path.join(__dirname, '..')] }));
const { z } = req('zod');
const { AgentRuntime, MemoryCheckpointStore, defineAgent, defineTool } = req('@ai-scale/agent-runtime');
const { TypeormCheckpointStore } = req('@ai-scale/agent-runtime/typeorm');
const { scriptedModel } = req('@ai-scale/agent-runtime/testing');
const { openDatabase, Tenant } = req('@ai-scale/persistence');
const { createThrowawayPostgresDatabase } = req('@ai-scale/testkit');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');

const RUNS = Number(process.argv[2] ?? 200);
function agent() {
  const tool = defineTool({
    name: 'noop',
    version: '1',
    description: 'x',
    input: z.object({ n: z.number() }),
    execute: async ({ n }) => ({ n }),
  });
  const model = scriptedModel('m', (request) => {
    const results = request.messages.filter((m) => m.role === 'tool').length;
    return results < 2 ? { toolCalls: [{ name: 'noop', arguments: { n: results } }] } : { content: 'done' };
  });
  return defineAgent({
    name: 'bench',
    promptVersion: '1',
    systemPrompt: 's',
    model,
    tools: [tool],
    input: z.object({ question: z.string() }),
  });
}
async function measure(label, store, tenantId) {
  const runtime = new AgentRuntime({ store, agents: [agent()] });
  const started = [];
  for (let i = 0; i < RUNS; i++)
    started.push(await runtime.startRun('bench', { question: 'q' }, { tenantId }));
  const t0 = process.hrtime.bigint();
  for (const run of started) await runtime.processRun(run.runId);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const steps = RUNS * 3;
  console.log(
    `${label}: ${RUNS} runs x 3 steps (2 tool calls) sequential: ${(steps / (ms / 1000)).toFixed(0)} steps/s, ${(ms / RUNS).toFixed(2)} ms per run`,
  );
}
(async () => {
  await measure('memory', new MemoryCheckpointStore(), 'default');
  const dir = mkdtempSync(path.join(tmpdir(), 'arb-'));
  const sqlite = await openDatabase({ url: `sqlite:${path.join(dir, 'b.db')}` });
  const t1 = await sqlite.getRepository(Tenant).save(sqlite.getRepository(Tenant).create({ name: 'b' }));
  await measure('typeorm sqlite (file, WAL)', new TypeormCheckpointStore({ dataSource: sqlite }), t1.id);
  await sqlite.destroy();
  rmSync(dir, { recursive: true, force: true });
  const db = await createThrowawayPostgresDatabase('arbench');
  const pg = await openDatabase({ url: db.url });
  const t2 = await pg.getRepository(Tenant).save(pg.getRepository(Tenant).create({ name: 'b' }));
  await measure('typeorm postgres (loopback)', new TypeormCheckpointStore({ dataSource: pg }), t2.id);
  await pg.destroy();
  await db.drop();
})();
