/**
 * One process of the shared-index test: a LancedbVectorStore on `uri` (an s3:// URI on the test's
 * S3 server) driven over IPC. A writer applies numbered steps; a reader reads on demand or watches
 * (reads in a loop) and reports every distinct state it saw. Args: uri, storage options as JSON.
 */
import { LancedbVectorStore } from '../lancedb-vector-store';
import { peerRecord, PEER_DIMENSIONS, PEER_DOCUMENTS, PEER_TENANT } from './lancedb-peer-data';

type Command =
  | { type: 'write'; step: number; upsert: string[]; remove: string[] }
  | { type: 'read' }
  | { type: 'watch' }
  | { type: 'stop-watching' }
  | { type: 'close' };

const send = (message: Record<string, unknown>): void => void process.send?.(message);

async function main(): Promise<void> {
  const [uri = '', storageJson = '{}'] = process.argv.slice(2);
  const store = await LancedbVectorStore.open({
    uri,
    dimensions: PEER_DIMENSIONS,
    storageOptions: JSON.parse(storageJson) as Record<string, string>,
    readConsistencyIntervalSeconds: 0,
  });
  const readState = async (): Promise<string[]> => {
    const chunks = await store.listByDocuments(PEER_TENANT, PEER_DOCUMENTS);
    // A vector search too: the path the API takes, over the same version.
    await store.search(PEER_TENANT, { mode: 'vector', vector: peerRecord('probe').vector, topK: 5 });
    return chunks.map((chunk) => chunk.id).sort();
  };
  let watching = false;
  let watchDone: Promise<void> = Promise.resolve();
  process.on('message', (command: Command) => {
    void (async () => {
      try {
        if (command.type === 'write') {
          if (command.upsert.length > 0) await store.upsert(PEER_TENANT, command.upsert.map(peerRecord));
          if (command.remove.length > 0) await store.deleteByIds(PEER_TENANT, command.remove);
          send({ type: 'written', step: command.step });
        } else if (command.type === 'read') {
          send({ type: 'seen', ids: await readState() });
        } else if (command.type === 'watch') {
          watching = true;
          const states: string[][] = [];
          let reads = 0;
          const errors: string[] = [];
          watchDone = (async () => {
            while (watching) {
              try {
                const ids = await readState();
                reads += 1;
                const last = states[states.length - 1];
                if (!last || last.join() !== ids.join()) states.push(ids);
              } catch (error) {
                // Reported, not thrown: a failed read during commits is what the test looks for.
                errors.push(String(error));
                if (errors.length >= 5) watching = false;
              }
            }
            send({ type: 'watched', states, reads, errors });
          })();
          send({ type: 'watching' });
        } else if (command.type === 'stop-watching') {
          watching = false;
          await watchDone;
        } else {
          await store.close();
          process.exit(0);
        }
      } catch (error) {
        send({ type: 'failed', message: String(error) });
      }
    })();
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: String(error) });
  process.exit(1);
});
