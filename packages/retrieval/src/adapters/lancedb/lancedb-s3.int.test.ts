import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { exited, forkTypeScript, nextMessage, startS3Server, type S3TestServer } from '@ai-scale/testkit';
import { LancedbVectorStore } from './lancedb-vector-store';
import { PEER_DIMENSIONS, PEER_DOCUMENTS, PEER_TENANT } from './__fixtures__/lancedb-peer-data';

/**
 * The shared index of a multi-machine deployment: LanceDB on object storage (s3:// on s3rver, the
 * official protocol on loopback), ONE writer process (the worker role) and several reader processes
 * (API replicas) with readConsistencyInterval 0. What must hold: a read issued after a write
 * returned sees it; readers watching while the writer commits only ever see whole committed
 * versions, in commit order; the table stays readable by a fresh process afterwards.
 */
const CHILD = join(__dirname, '__fixtures__', 'lancedb-peer.child.ts');
const READERS = 3;

interface Step {
  readonly step: number;
  readonly upsert: string[];
  readonly remove: string[];
}

/** Step i adds four chunks and, on even steps, deletes the ones added two steps before. */
function plan(from: number, to: number, prefix = 's'): Step[] {
  const steps: Step[] = [];
  for (let step = from; step <= to; step += 1) {
    const upsert = [0, 1, 2, 3].map((index) => `${prefix}${step}-${index}`);
    const remove =
      step % 2 === 0 && step > 2 ? [0, 1, 2, 3].map((index) => `${prefix}${step - 2}-${index}`) : [];
    steps.push({ step, upsert, remove });
  }
  return steps;
}

function stateAfter(steps: readonly Step[]): string[] {
  const ids = new Set<string>();
  for (const step of steps) {
    step.upsert.forEach((id) => ids.add(id));
    step.remove.forEach((id) => ids.delete(id));
  }
  return [...ids].sort();
}

describe('LanceDB on S3: one writer process, several reader processes', () => {
  let server: S3TestServer;
  let uri: string;
  let writer: ChildProcess;
  let readers: ChildProcess[] = [];
  const children: ChildProcess[] = [];

  const spawnPeer = (): ChildProcess => spawnPeerOn(uri);
  function spawnPeerOn(tableUri: string): ChildProcess {
    const child = forkTypeScript(CHILD, [tableUri, JSON.stringify(server.lancedbStorageOptions())], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.push(child);
    return child;
  }

  async function write(step: Step, by: ChildProcess = writer): Promise<void> {
    const done = nextMessage<{ type: 'written'; step: number }>(by, 'written');
    // A writer that fails reports it: fail the test with its error instead of waiting for "written".
    const failed = nextMessage<{ type: 'failed'; message: string }>(by, 'failed').then((message) => {
      throw new Error(`writer failed at step ${step.step}: ${message.message}`);
    });
    failed.catch(() => undefined);
    by.send({ type: 'write', ...step });
    expect((await Promise.race([done, failed])).step).toBe(step.step);
  }

  beforeAll(async () => {
    server = await startS3Server({ buckets: ['lance-shared'] });
    uri = 's3://lance-shared/indexes/chunks';
    // The writer creates the table; readers open the existing one (LanceDB lists the tables).
    writer = spawnPeer();
    await nextMessage(writer, 'ready');
    readers = Array.from({ length: READERS }, spawnPeer);
    await Promise.all(readers.map((reader) => nextMessage(reader, 'ready')));
  }, 120_000);

  afterAll(async () => {
    for (const child of children) {
      if (child.connected) child.send({ type: 'close' });
    }
    await Promise.all(children.map((child) => exited(child)));
    await server.stop();
  }, 60_000);

  it('a read issued after the write returned sees it, in every reader', async () => {
    const steps = plan(1, 6);
    for (let index = 0; index < steps.length; index += 1) {
      await write(steps[index] as Step);
      const expected = stateAfter(steps.slice(0, index + 1));
      const seen = await Promise.all(
        readers.map((reader) => {
          const answer = nextMessage<{ type: 'seen'; ids: string[] }>(reader, 'seen');
          reader.send({ type: 'read' });
          return answer;
        }),
      );
      for (const answer of seen) expect(answer.ids).toEqual(expected);
    }
  }, 180_000);

  it('readers searching while the writer commits see only whole versions, in commit order', async () => {
    // Whatever the table holds now (the previous case's six steps, or nothing when run alone).
    const initial = await (async () => {
      const answer = nextMessage<{ type: 'seen'; ids: string[] }>(readers[0] as ChildProcess, 'seen');
      (readers[0] as ChildProcess).send({ type: 'read' });
      return (await answer).ids;
    })();
    const steps = plan(7, 20);
    const states: string[][] = [initial];
    // Each step is two commits (upsert, then delete): the version in between is committed too.
    const intermediate = new Set<string>();
    for (const step of steps) {
      const previous = new Set(states[states.length - 1]);
      step.upsert.forEach((id) => previous.add(id));
      intermediate.add([...previous].sort().join());
      step.remove.forEach((id) => previous.delete(id));
      states.push([...previous].sort());
    }
    const stateIndex = new Map(states.map((state, index) => [state.join(), index]));
    await Promise.all(
      readers.map((reader) => {
        const started = nextMessage(reader, 'watching');
        reader.send({ type: 'watch' });
        return started;
      }),
    );
    for (const step of steps) await write(step);
    // Stop the watchers: each reports every distinct state it saw, in order.
    const reports = await Promise.all(
      readers.map((reader) => {
        const report = nextMessage<{ type: 'watched'; states: string[][]; reads: number; errors: string[] }>(
          reader,
          'watched',
        );
        reader.send({ type: 'stop-watching' });
        return report;
      }),
    );
    for (const report of reports) {
      expect(report.errors).toEqual([]);
      const seen = report.states.map((state) => stateIndex.get(state.join()));
      // Each state a reader saw is one the writer committed.
      report.states.forEach((state, position) => {
        expect(seen[position] !== undefined || intermediate.has(state.join())).toBe(true);
      });
      const ordered = seen.filter((index): index is number => index !== undefined);
      expect([...ordered].sort((a, b) => a - b)).toEqual(ordered);
      expect(report.reads).toBeGreaterThan(0);
    }
    // The reads really overlapped the commits: readers saw the index change under them.
    expect(Math.max(...reports.map((report) => report.states.length))).toBeGreaterThan(2);
    // Reads after the last write returned: the final state, everywhere.
    const final = await Promise.all(
      readers.map((reader) => {
        const answer = nextMessage<{ type: 'seen'; ids: string[] }>(reader, 'seen');
        reader.send({ type: 'read' });
        return answer;
      }),
    );
    for (const answer of final) expect(answer.ids).toEqual(states[states.length - 1]);
  }, 300_000);

  it('leaves a table a fresh process opens and reads whole', async () => {
    const store = await LancedbVectorStore.open({
      uri,
      dimensions: PEER_DIMENSIONS,
      storageOptions: server.lancedbStorageOptions(),
    });
    try {
      const expected = stateAfter(plan(1, 20));
      expect(await store.count(PEER_TENANT)).toBe(expected.length);
      const chunks = await store.listByDocuments(PEER_TENANT, PEER_DOCUMENTS);
      expect(chunks.map((chunk) => chunk.id).sort()).toEqual(expected);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('two writer processes committing at once lose nothing (the store honours If-None-Match)', async () => {
    // A second table; each writer its own ids, both committing as fast as they can. LanceDB commits
    // a version with a conditional put and retries on conflict: nothing is lost as long as the
    // object store refuses the second put of one version (AWS S3, MinIO, R2; the testkit's s3rver).
    const writers = [spawnPeerOn(`${uri}-two-writers`), spawnPeerOn(`${uri}-two-writers`)];
    await nextMessage(writers[0] as ChildProcess, 'ready');
    await nextMessage(writers[1] as ChildProcess, 'ready');
    const plans = [plan(1, 10, 'a'), plan(1, 10, 'b')];
    await Promise.all(
      writers.map(async (peer, index) => {
        for (const step of plans[index] as Step[]) await write(step, peer);
      }),
    );
    const store = await LancedbVectorStore.open({
      uri: `${uri}-two-writers`,
      dimensions: PEER_DIMENSIONS,
      storageOptions: server.lancedbStorageOptions(),
    });
    try {
      const chunks = await store.listByDocuments(PEER_TENANT, PEER_DOCUMENTS);
      const expected = [...stateAfter(plans[0] as Step[]), ...stateAfter(plans[1] as Step[])].sort();
      expect(chunks.map((chunk) => chunk.id).sort()).toEqual(expected);
    } finally {
      await store.close();
    }
  }, 300_000);
});
