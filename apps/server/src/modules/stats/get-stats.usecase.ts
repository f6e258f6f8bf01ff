import { Injectable } from '@nestjs/common';
import { type UsageLedger } from '@ai-scale/llm-gateway';
import { type JobQueue } from '@ai-scale/queue';
import { InjectUsageLedger } from '../../infrastructure/llm/llm.module';
import { InjectJobQueue } from '../../infrastructure/queue/queue.module';
import { guardDependency } from '../../infrastructure/readiness/dependency-guard';
import { RequestStats } from '../../infrastructure/telemetry/request-stats';

const DAY_MS = 86_400_000;

@Injectable()
export class GetStatsUseCase {
  constructor(
    private readonly requests: RequestStats,
    @InjectJobQueue() private readonly queue: JobQueue,
    @InjectUsageLedger() private readonly ledger: UsageLedger,
  ) {}

  async execute(tenantId: string) {
    const now = Date.now();
    const [counts, byDay] = await Promise.all([
      guardDependency('queue', () => this.queue.counts()),
      guardDependency('database', () =>
        this.ledger.query({
          tenantId,
          from: new Date(now - 14 * DAY_MS),
          to: new Date(now + DAY_MS),
          groupBy: 'day',
        }),
      ),
    ]);
    const requests = byDay.reduce((sum, row) => sum + row.requests, 0);
    const hits = await this.cacheHits(tenantId, now);
    return {
      generatedAt: new Date(now).toISOString(),
      latency: this.requests.series(now),
      queue: {
        depth: counts.queued + counts.delayed,
        active: counts.active,
        failed: counts.failed,
        completed: counts.completed,
      },
      cache: { hits, requests, hitRate: requests === 0 ? 0 : hits / requests },
      usage: byDay.map((row) => ({
        day: row.key,
        requests: row.requests,
        tokens: row.promptTokens + row.completionTokens,
        costUsd: row.costUsd,
        savedCostUsd: row.savedCostUsd,
      })),
    };
  }

  /** Answers served from the cache: ledger entries recorded with provider `cache`. */
  private async cacheHits(tenantId: string, now: number): Promise<number> {
    const byModel = await this.ledger.query({
      tenantId,
      from: new Date(now - 14 * DAY_MS),
      to: new Date(now + DAY_MS),
      groupBy: 'model',
    });
    return byModel.filter((row) => row.key.startsWith('cache:')).reduce((sum, row) => sum + row.requests, 0);
  }
}
