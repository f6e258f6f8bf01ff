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
import {
  ATTR,
  injectTraceContext,
  METRIC,
  metricOptions,
  SPAN,
  withSpan,
  type TraceCarrier,
} from '@ai-scale/telemetry';
import type { JobCounts, JobState } from '../ports';

const SCOPE = '@ai-scale/queue';

/**
 * The queue's instruments and spans, created when a queue is constructed (not at module load: a
 * meter taken before the app registers its provider would stay a no-op). Names, units and
 * descriptions come from the catalogue of `@ai-scale/telemetry`, so both adapters feed the same
 * series. Spans follow the messaging conventions: `send {queue}` (producer) and `process {queue}`
 * (consumer) with `messaging.system`, `messaging.operation.type`, `messaging.destination.name`.
 */
export class QueueTelemetry {
  readonly tracer: Tracer;
  /** Name of the consumer span of this queue: `process {queue}`. */
  readonly processSpanName: string;
  /** Attributes of the consumer span, next to the job's own. */
  readonly processSpanAttributes: Attributes;
  private readonly sendSpanName: string;
  private readonly sendSpanAttributes: Attributes;
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
  private readonly failedAttributeCache = new Map<string, Attributes>();

  /** `system` is `messaging.system`: the backend's name (`bullmq`, `memory`). */
  constructor(
    readonly queueName: string,
    counts: () => Promise<JobCounts>,
    readonly system = 'ai_scale',
  ) {
    const meter = metrics.getMeter(SCOPE);
    this.tracer = trace.getTracer(SCOPE);
    this.baseAttributes = { [ATTR.messagingSystem]: system, [ATTR.queueName]: queueName };
    this.processSpanName = SPAN.queueProcess(queueName);
    this.processSpanAttributes = Object.freeze({
      [ATTR.messagingOperationType]: 'process',
      [ATTR.messagingOperationName]: 'process',
    });
    this.sendSpanName = SPAN.queueSend(queueName);
    this.sendSpanAttributes = Object.freeze({
      [ATTR.messagingOperationType]: 'send',
      [ATTR.messagingOperationName]: 'send',
    });
    this.waitDuration = meter.createHistogram(
      METRIC.queueWaitDuration,
      metricOptions(METRIC.queueWaitDuration),
    );
    this.processDuration = meter.createHistogram(
      METRIC.queueProcessDuration,
      metricOptions(METRIC.queueProcessDuration),
    );
    this.completed = meter.createCounter(METRIC.queueJobsCompleted, metricOptions(METRIC.queueJobsCompleted));
    this.failed = meter.createCounter(METRIC.queueJobsFailed, metricOptions(METRIC.queueJobsFailed));
    this.retried = meter.createCounter(METRIC.queueJobsRetried, metricOptions(METRIC.queueJobsRetried));
    this.deadLettered = meter.createCounter(
      METRIC.queueJobsDeadLettered,
      metricOptions(METRIC.queueJobsDeadLettered),
    );
    this.heartbeat = meter.createCounter(METRIC.workerHeartbeat, metricOptions(METRIC.workerHeartbeat));
    this.depth = meter.createObservableGauge(METRIC.queueDepth, metricOptions(METRIC.queueDepth));
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

  /** Runs the enqueue inside a `send {queue}` producer span and hands it the carrier to store. */
  enqueueSpan<T>(
    jobName: string,
    tenantId: string | undefined,
    fn: (carrier: TraceCarrier) => Promise<T>,
  ): Promise<T> {
    return withSpan(
      this.tracer,
      this.sendSpanName,
      {
        kind: SpanKind.PRODUCER,
        attributes: { ...this.jobAttributes(jobName, tenantId), ...this.sendSpanAttributes },
      },
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

  /** One attempt's duration (`messaging.process.duration`); a failed attempt carries `error.type`. */
  recordProcess(seconds: number, attributes: Attributes, errorCode?: string): void {
    this.processDuration.record(
      seconds,
      errorCode === undefined ? attributes : this.failedAttributes(attributes, errorCode),
    );
  }

  recordCompleted(attributes: Attributes): void {
    this.completed.add(1, attributes);
  }

  recordFailedAttempt(attributes: Attributes, errorCode: string): void {
    this.failed.add(1, this.failedAttributes(attributes, errorCode));
  }

  private failedAttributes(attributes: Attributes, errorCode: string): Attributes {
    const key = `${String(attributes[ATTR.jobName])}\u0000${String(attributes[ATTR.tenantId] ?? '')}\u0000${errorCode}`;
    let failed = this.failedAttributeCache.get(key);
    if (!failed) {
      if (this.failedAttributeCache.size >= 10_000) this.failedAttributeCache.clear();
      failed = Object.freeze({ ...attributes, [ATTR.errorType]: errorCode });
      this.failedAttributeCache.set(key, failed);
    }
    return failed;
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
