import {
  metrics,
  SpanKind,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type ObservableGauge,
  type ObservableResult,
  type Tracer,
} from '@opentelemetry/api';
import { ATTR, injectTraceContext, METRIC, SPAN, withSpan, type TraceCarrier } from '@ai-scale/telemetry';
import type { JobCounts, JobState } from '../ports';

const SCOPE = '@ai-scale/queue';

/**
 * The queue's instruments, created when a queue is constructed (not at module load: a meter taken
 * before the app registers its provider would stay a no-op). Names come from `@ai-scale/telemetry`,
 * so both adapters feed the same series.
 */
export class QueueTelemetry {
  readonly tracer: Tracer;
  private readonly waitDuration: Histogram;
  private readonly processDuration: Histogram;
  private readonly completed: Counter;
  private readonly failed: Counter;
  private readonly retried: Counter;
  private readonly deadLettered: Counter;
  private readonly heartbeat: Counter;
  private readonly depth: ObservableGauge;
  private readonly observeDepth: (result: ObservableResult) => Promise<void>;
  private readonly baseAttributes: Attributes;
  private readonly attributeCache = new Map<string, Attributes>();

  constructor(
    readonly queueName: string,
    counts: () => Promise<JobCounts>,
  ) {
    const meter = metrics.getMeter(SCOPE);
    this.tracer = trace.getTracer(SCOPE);
    this.baseAttributes = { [ATTR.queueName]: queueName };
    this.waitDuration = meter.createHistogram(METRIC.queueWaitDuration, {
      unit: 's',
      description: 'Time a job waited between becoming ready and its first attempt starting.',
    });
    this.processDuration = meter.createHistogram(METRIC.queueProcessDuration, {
      unit: 's',
      description: 'Duration of one attempt.',
    });
    this.completed = meter.createCounter(METRIC.queueJobsCompleted, { description: 'Jobs completed.' });
    this.failed = meter.createCounter(METRIC.queueJobsFailed, { description: 'Failed attempts.' });
    this.retried = meter.createCounter(METRIC.queueJobsRetried, { description: 'Attempts scheduled again.' });
    this.deadLettered = meter.createCounter(METRIC.queueJobsDeadLettered, {
      description: 'Jobs that failed for good and went to the dead-letter set.',
    });
    this.heartbeat = meter.createCounter(METRIC.workerHeartbeat, {
      description: 'Beats of live workers; its rate per queue is the number of live workers per interval.',
    });
    this.depth = meter.createObservableGauge(METRIC.queueDepth, { description: 'Jobs by state.' });
    this.observeDepth = async (result) => {
      let snapshot: JobCounts;
      try {
        snapshot = await counts();
      } catch {
        return; // the backend is down: report nothing rather than zeros
      }
      for (const [state, value] of Object.entries(snapshot) as [JobState, number][]) {
        result.observe(value, { ...this.baseAttributes, [ATTR.jobState]: state });
      }
    };
    this.depth.addCallback(this.observeDepth);
  }

  /** Runs the enqueue inside a `queue.enqueue` producer span and hands it the carrier to store. */
  enqueueSpan<T>(
    jobName: string,
    tenantId: string | undefined,
    fn: (carrier: TraceCarrier) => Promise<T>,
  ): Promise<T> {
    return withSpan(
      this.tracer,
      SPAN.queueEnqueue,
      { kind: SpanKind.PRODUCER, attributes: this.jobAttributes(jobName, tenantId) },
      () => fn(injectTraceContext()),
    );
  }

  /** Attributes of a job's metrics, cached: they are the same for every job of a name and tenant. */
  jobAttributes(jobName: string, tenantId: string | undefined): Attributes {
    const key = tenantId === undefined ? jobName : `${jobName}\u0000${tenantId}`;
    let attributes = this.attributeCache.get(key);
    if (!attributes) {
      if (this.attributeCache.size >= 10_000) this.attributeCache.clear();
      attributes = Object.freeze(
        tenantId === undefined
          ? { ...this.baseAttributes, [ATTR.jobName]: jobName }
          : { ...this.baseAttributes, [ATTR.jobName]: jobName, [ATTR.tenantId]: tenantId },
      );
      this.attributeCache.set(key, attributes);
    }
    return attributes;
  }

  recordWait(seconds: number, attributes: Attributes): void {
    this.waitDuration.record(Math.max(0, seconds), attributes);
  }

  recordProcess(seconds: number, attributes: Attributes): void {
    this.processDuration.record(seconds, attributes);
  }

  recordCompleted(attributes: Attributes): void {
    this.completed.add(1, attributes);
  }

  recordFailedAttempt(attributes: Attributes, errorCode: string): void {
    this.failed.add(1, { ...attributes, [ATTR.errorType]: errorCode });
  }

  recordRetried(attributes: Attributes): void {
    this.retried.add(1, attributes);
  }

  recordDeadLettered(attributes: Attributes): void {
    this.deadLettered.add(1, attributes);
  }

  beat(): void {
    this.heartbeat.add(1, this.baseAttributes);
  }

  close(): void {
    this.depth.removeCallback(this.observeDepth);
  }
}
