import type { Cluster, Redis } from 'ioredis';
import type { JobRecord } from '../../ports';

/** The custom event (on BullMQ's event stream) that asks every worker to abort a running job. */
export const CANCEL_REQUESTED_EVENT = 'ai-scale:cancel';
/** The custom event telling subscribers a job was cancelled before it ran. */
export const CANCELLED_EVENT = 'ai-scale:cancelled';

// Stores a cancelled job's record and trims the set to its retention, atomically:
// KEYS = records hash, order zset, request marker; ARGV = id, record JSON, now ms, max age ms, max count.
const RECORD = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('DEL', KEYS[3])
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[4]))
local excess = redis.call('ZCARD', KEYS[2]) - #expired - tonumber(ARGV[5])
if excess > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], #expired, #expired + excess - 1)
  for _, id in ipairs(oldest) do table.insert(expired, id) end
end
for _, id in ipairs(expired) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
return #expired`;

type CancellationCommands = {
  aiScaleRecordCancelled(
    records: string,
    order: string,
    marker: string,
    id: string,
    record: string,
    now: number,
    maxAgeMs: number,
    maxCount: number,
  ): Promise<number>;
};

/**
 * Cancellation state of one queue, beside BullMQ's keys and under the same prefix (so under the same
 * hash tag on a Cluster): a marker per job whose cancellation was requested while it ran (read by a
 * worker that picks the job up again after a crash or hand-back), and the records of cancelled jobs
 * (a hash, trimmed like the dead-letter set) — BullMQ has no state for them, so they leave BullMQ.
 */
export class CancelledJobs {
  private readonly records: string;
  private readonly order: string;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly keyBase: string,
    private readonly retention: { readonly count: number; readonly ageSeconds: number },
  ) {
    this.records = `${keyBase}:cancelled`;
    this.order = `${keyBase}:cancelled-order`;
    client.defineCommand('aiScaleRecordCancelled', { numberOfKeys: 3, lua: RECORD });
  }

  private marker(id: string): string {
    return `${this.keyBase}:cancel:${id}`;
  }

  async request(id: string): Promise<void> {
    await this.client.set(this.marker(id), '1', 'PX', this.retention.ageSeconds * 1_000);
  }

  async isRequested(id: string): Promise<boolean> {
    return (await this.client.exists(this.marker(id))) === 1;
  }

  async record(record: JobRecord): Promise<void> {
    await (this.client as unknown as CancellationCommands).aiScaleRecordCancelled(
      this.records,
      this.order,
      this.marker(record.id),
      record.id,
      JSON.stringify(record),
      Date.now(),
      this.retention.ageSeconds * 1_000,
      this.retention.count,
    );
  }

  async get(id: string): Promise<JobRecord | undefined> {
    const stored = await this.client.hget(this.records, id);
    return stored === null ? undefined : (JSON.parse(stored) as JobRecord);
  }

  count(): Promise<number> {
    return this.client.hlen(this.records);
  }

  /** Tells every process: `event` is one of the two custom events above, on BullMQ's stream `eventsKey`. */
  async announce(eventsKey: string, event: string, id: string): Promise<void> {
    await this.client.xadd(eventsKey, 'MAXLEN', '~', '10000', '*', 'event', event, 'jobId', id);
  }
}
