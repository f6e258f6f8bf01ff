import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AgentRun, openDatabase, Tenant } from '@ai-scale/persistence';
import { AgentRuntime } from '../../runtime/agent-runtime';
import { defineWorkflow, human, sequence, task } from '../../workflow/workflow-definition';
import type { DataSource } from 'typeorm';
import { checkpointStoreContract } from '../../testing';
import { TypeormCheckpointStore } from './typeorm-checkpoint-store';

describe('TypeormCheckpointStore on SQLite (better-sqlite3, a file)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'agent-runtime-'));
  const url = `sqlite:${join(directory, 'runs.db')}`;
  const opened: DataSource[] = [];
  let dataSource: DataSource;
  let tenantId: string;

  beforeAll(async () => {
    dataSource = await openDatabase({ url });
    opened.push(dataSource);
    const tenant = await dataSource
      .getRepository(Tenant)
      .save(dataSource.getRepository(Tenant).create({ name: 'contract' }));
    tenantId = tenant.id;
  });

  afterAll(async () => {
    await Promise.all(opened.map((source) => source.destroy()));
    rmSync(directory, { recursive: true, force: true });
  });

  it('carries a whole run through pause and resume (run fields without a column survive the round trip)', async () => {
    const store = new TypeormCheckpointStore({ dataSource });
    const approval = defineWorkflow({
      name: 'approval',
      version: 'a1',
      input: z.object({ amount: z.number() }),
      root: sequence(
        'flow',
        task('quote', async ({ input }) => ({ total: (input as { amount: number }).amount * 2 })),
        human('approve', ({ results }) => `Approve ${JSON.stringify(results.quote)}?`),
        task('book', async ({ results }) => ({ booked: results.approve ?? null })),
      ),
    });
    const runtime = new AgentRuntime({ store, workflows: [approval] });
    const started = await runtime.startRun('approval', { amount: 21 }, { tenantId });
    const paused = await runtime.processRun(started.runId);
    expect(await store.getRun(started.runId)).toEqual(paused);
    expect(paused).toMatchObject({
      status: 'paused',
      stopReason: 'awaiting_input',
      awaiting: { prompt: 'Approve {"total":42}?' },
    });
    await runtime.resume(started.runId, { yes: true });
    expect(await store.getRun(started.runId)).toMatchObject({ status: 'queued', resumeInput: { yes: true } });
    const done = await new AgentRuntime({ store, workflows: [approval] }).processRun(started.runId);
    expect(done).toMatchObject({
      status: 'succeeded',
      resumeInput: null,
      steps: 2,
      output: { book: { booked: { yes: true } } },
    });
    expect(await store.getRun(started.runId)).toEqual(done);
    const row = await dataSource.getRepository(AgentRun).findOneByOrFail({ id: started.runId });
    expect(row).toMatchObject({ state: 'succeeded', agent: 'approval', promptVersion: 'a1', stepCount: 2 });
  });

  checkpointStoreContract({ describe, it }, () => new TypeormCheckpointStore({ dataSource }), {
    get tenantId() {
      return tenantId;
    },
    durable: true,
    reopen: async () => {
      const again = await openDatabase({ url });
      opened.push(again);
      return new TypeormCheckpointStore({ dataSource: again });
    },
  });
});
