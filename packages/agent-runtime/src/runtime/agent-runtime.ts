import { randomUUID } from 'node:crypto';
import { metrics, trace, type Counter, type Histogram, type Span } from '@opentelemetry/api';
import { ATTR, METRIC, metricOptions, SPAN, withSpan } from '@ai-scale/telemetry';
import type { JobHandlers, JobQueue } from '@ai-scale/queue';
import {
  initialMessages,
  resolveLimits,
  type AgentDefinition,
  type RunLimits,
} from '../agent/agent-definition';
import { initialAgentState, runAgentStep, type AgentState } from '../agent/agent-step';
import {
  AgentDeadlineExceededError,
  type AgentRuntimeError,
  AgentStepLimitError,
  CheckpointConflictError,
  InvalidAgentDefinitionError,
  InvalidRunInputError,
  RunAlreadyFinishedError,
  RunCancelledError,
  RunNotFoundError,
  RunNotResumableError,
  StepFailedError,
  UnknownAgentError,
} from '../errors';
import { AbortedError, childSignal, describeError } from '../internal/abort';
import { toJson } from '../internal/json';
import type { CheckpointStore, RunRecord, RunVersions, StopReason } from '../ports/checkpoint-store';
import type { JsonValue } from '../ports/json';
import { allNodes, type WorkflowDefinition } from '../workflow/workflow-definition';
import { initialWorkflowState, runWorkflowStep, type WorkflowState } from '../workflow/workflow-step';
import { addUsage, DeadlineReached, NO_USAGE, type StepEnd, type StepOutcome } from './step-outcome';

// Definitions of any input type live in one registry; their input schemas check the type at the edge.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyAgent = AgentDefinition<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyWorkflow = WorkflowDefinition<any>;

/** The payload of the queue job that carries a run. */
export interface AgentRunJobPayload {
  readonly runId: string;
}

export const AGENT_RUN_JOB = 'agent.run';

export interface AgentRuntimeOptions {
  readonly store: CheckpointStore;
  readonly agents?: readonly AnyAgent[];
  readonly workflows?: readonly AnyWorkflow[];
  /**
   * Where runs are carried as jobs (`startRun` and `resume` enqueue one; a worker created with
   * `jobHandlers()` runs it). Without a queue, call `processRun(runId)` yourself.
   */
  readonly queue?: Pick<JobQueue, 'enqueue'> & Partial<Pick<JobQueue, 'cancel'>>;
  /** Attempts of a run's job for infrastructure failures (a dead worker, a store outage). Default 5. */
  readonly jobAttempts?: number;
  /**
   * Steps one job runs before it hands the run on to a new job (enqueued behind the others), so a
   * long run does not hold a worker while short ones wait. Default: no limit (one job per run,
   * until it ends or pauses). `1` runs exactly one step per job.
   */
  readonly stepsPerJob?: number;
  readonly now?: () => Date;
  readonly newRunId?: () => string;
}

export interface StartRunOptions {
  readonly tenantId?: string;
  /** Default: a random UUID. */
  readonly runId?: string;
}

export interface ProcessRunOptions {
  /** The job's signal: aborting it (shutdown, job timeout) stops the run where it is, to be resumed. */
  readonly signal?: AbortSignal;
  /** Run at most this many steps in this call, then return (the run stays `running`). */
  readonly maxSteps?: number;
  /**
   * This is the job's last attempt: an unexpected error (a store outage, a throwing workflow
   * condition) then fails the run (`step_failed`) before it is rethrown, so no run stays `running`
   * after its job is dead-lettered.
   */
  readonly finalAttempt?: boolean;
  /** The queue job executing this call, recorded on the run so that `cancel` can abort it. */
  readonly jobId?: string;
}

const FINAL: ReadonlySet<RunRecord['status']> = new Set(['succeeded', 'failed', 'cancelled']);

/**
 * Starts, resumes and executes durable agent runs and workflows.
 *
 * Guarantees:
 * - every step is checkpointed (`CheckpointStore.saveStep`) before the next starts, with the run's
 *   counters; a run executed again (a crashed worker's job recovered elsewhere, a redelivery)
 *   continues after its latest checkpoint, and a completed tool call is never executed twice;
 * - every run ends `succeeded`, `failed` (typed `stopReason` and error code) or `paused`: limits,
 *   the deadline, loops, budget, invalid arguments and model failures are all stop reasons, and
 *   every model and tool call is raced against the run's deadline, so a run never hangs;
 * - only the job's own abort (a shutdown) leaves a run `running`, for the queue to hand it to
 *   another worker.
 */
export class AgentRuntime {
  private readonly store: CheckpointStore;
  private readonly queue: AgentRuntimeOptions['queue'];
  private readonly agents = new Map<string, AnyAgent>();
  private readonly workflows = new Map<string, AnyWorkflow>();
  private readonly now: () => Date;
  private readonly newRunId: () => string;
  private readonly jobAttempts: number;
  private readonly stepsPerJob: number | undefined;
  private readonly tracer = trace.getTracer('@ai-scale/agent-runtime');
  private readonly instruments: {
    steps: Histogram;
    duration: Histogram;
    loops: Counter;
    outcome: Counter;
  };

  constructor(options: AgentRuntimeOptions) {
    this.store = options.store;
    this.queue = options.queue;
    this.now = options.now ?? (() => new Date());
    this.newRunId = options.newRunId ?? randomUUID;
    this.jobAttempts = options.jobAttempts ?? 5;
    this.stepsPerJob = options.stepsPerJob;
    const meter = metrics.getMeter('@ai-scale/agent-runtime');
    this.instruments = {
      steps: meter.createHistogram(METRIC.agentRunSteps, metricOptions(METRIC.agentRunSteps)),
      duration: meter.createHistogram(METRIC.agentRunDuration, metricOptions(METRIC.agentRunDuration)),
      loops: meter.createCounter(METRIC.agentRunLoopsDetected, metricOptions(METRIC.agentRunLoopsDetected)),
      outcome: meter.createCounter(METRIC.agentRunOutcome, metricOptions(METRIC.agentRunOutcome)),
    };
    for (const agent of options.agents ?? []) this.register(agent);
    for (const workflow of options.workflows ?? []) this.register(workflow);
  }

  /** Adds an agent or a workflow; names are unique across both. */
  register(definition: AnyAgent | AnyWorkflow): void {
    if (this.agents.has(definition.name) || this.workflows.has(definition.name)) {
      throw new InvalidAgentDefinitionError({ message: `"${definition.name}" is already registered` });
    }
    if (definition.kind === 'workflow') {
      this.workflows.set(definition.name, definition);
      return;
    }
    this.agents.set(definition.name, definition);
    // The loop counter starts at 0 for each agent and stop kind, so a dashboard and the
    // AgentLoopsDetected ratio see "no loops" rather than no series before the first loop.
    for (const stopKind of ['loop_detected', 'no_progress'] as const) {
      this.instruments.loops.add(0, { [ATTR.agentName]: definition.name, [ATTR.agentStopKind]: stopKind });
    }
  }

  /** The names of the registered agents and workflows. */
  definitions(): { agents: string[]; workflows: string[] } {
    return { agents: [...this.agents.keys()], workflows: [...this.workflows.keys()] };
  }

  /**
   * Validates the input, stores a `queued` run with its versions and deadline, and enqueues its
   * job (when the runtime has a queue). Rejects with `UnknownAgentError` or `InvalidRunInputError`
   * before storing anything; when the enqueue fails, the run is failed (`step_failed`) and the
   * queue's error rethrown.
   */
  async startRun(name: string, input: unknown, options: StartRunOptions = {}): Promise<RunRecord> {
    const definition = this.agents.get(name) ?? this.workflows.get(name);
    if (!definition)
      throw new UnknownAgentError({ message: `no agent or workflow named "${name}"`, details: { name } });
    const parsed = definition.input.safeParse(input);
    if (!parsed.success) {
      throw new InvalidRunInputError({
        message: `invalid input for "${name}": ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
        details: { name },
      });
    }
    const now = this.now();
    const runId = options.runId ?? this.newRunId();
    const run: RunRecord = {
      runId,
      tenantId: options.tenantId ?? 'default',
      kind: definition.kind === 'workflow' ? 'workflow' : 'agent',
      name,
      status: 'queued',
      input: toJson(parsed.data),
      output: null,
      stopReason: null,
      error: null,
      awaiting: null,
      resumeInput: null,
      versions: versionsOf(definition),
      usage: NO_USAGE,
      steps: 0,
      toolCalls: 0,
      deadlineAt: new Date(now.getTime() + this.limitsOf(definition).deadlineMs),
      createdAt: now,
      updatedAt: now,
      finishedAt: null,
    };
    await this.store.createRun(run);
    try {
      await this.enqueue(run, `run:${runId}:start`);
    } catch (error) {
      // No job carries the run: fail it now rather than leave it `queued` forever.
      await this.finish(
        run,
        'step_failed',
        new StepFailedError({
          runId,
          message: `the run could not be queued: ${describeError(error).message}`,
          cause: error,
        }),
      ).catch(() => undefined);
      throw error;
    }
    return run;
  }

  /**
   * Continues a `paused` run: `input` becomes the answer to what it awaits (the pending tool call's
   * result, or the human node's result), the deadline restarts, and the run is queued again. When
   * the enqueue fails the run is put back `paused` and the queue's error rethrown (call it again).
   */
  async resume(runId: string, input: unknown): Promise<RunRecord> {
    const run = await this.getRun(runId);
    if (run.status !== 'paused') {
      throw new RunNotResumableError({
        runId,
        message: `run ${runId} is ${run.status}, not paused awaiting input`,
        details: { status: run.status },
      });
    }
    const definition = this.agents.get(run.name) ?? this.workflows.get(run.name);
    const now = this.now();
    const resumed: RunRecord = {
      ...run,
      status: 'queued',
      stopReason: null,
      awaiting: null,
      resumeInput: toJson(input),
      deadlineAt: definition
        ? new Date(now.getTime() + this.limitsOf(definition).deadlineMs)
        : run.deadlineAt,
      updatedAt: now,
    };
    await this.store.updateRun(resumed);
    try {
      await this.enqueue(resumed, `run:${runId}:resume:${run.steps}`);
    } catch (error) {
      // Put the run back as it was, so that `resume` can simply be called again.
      await this.store.updateRun(run).catch(() => undefined);
      throw error;
    }
    return resumed;
  }

  /**
   * Cancels a run: it becomes `cancelled` (final, stop reason `cancelled`) at once in the store,
   * which refuses any later write that would bring it back, so a worker finishing its step cannot
   * resume it and a redelivered job does nothing. When a worker runs it now, its job is cancelled
   * through the queue: the job's signal aborts the in-flight model call (the gateway settles what
   * it generated) and tool calls. The run's usage is that of its checkpointed steps. Idempotent;
   * `RunAlreadyFinishedError` for a run that succeeded or failed.
   */
  async cancel(runId: string): Promise<RunRecord> {
    const run = await this.getRun(runId);
    if (run.status === 'cancelled') return run;
    if (FINAL.has(run.status)) {
      throw new RunAlreadyFinishedError({
        runId,
        message: `run ${runId} already ${run.status}`,
        details: { status: run.status },
      });
    }
    const now = this.now();
    const cancelled: RunRecord = {
      ...run,
      status: 'cancelled',
      stopReason: 'cancelled',
      awaiting: null,
      error: { code: 'RUN_CANCELLED', message: 'the run was cancelled' },
      updatedAt: now,
      finishedAt: now,
    };
    try {
      await this.store.updateRun(cancelled);
    } catch (error) {
      // A step saved between the read and the write changes nothing: cancel what is there now.
      if (RunCancelledError.isInstance(error)) return this.getRun(runId);
      throw error;
    }
    this.recordEnd(cancelled);
    if (run.jobId && this.queue?.cancel) {
      await this.queue.cancel(run.jobId).catch(() => undefined); // finished or gone: nothing to abort
    }
    return cancelled;
  }

  /** The run's record; `RunNotFoundError` when there is none. */
  async getRun(runId: string): Promise<RunRecord> {
    const run = await this.store.getRun(runId);
    if (!run) throw new RunNotFoundError({ runId, message: `no run ${runId}` });
    return run;
  }

  /** The run's checkpoints, step by step (what each step did is in `summary`). */
  async listSteps(runId: string): Promise<Awaited<ReturnType<CheckpointStore['listSteps']>>> {
    await this.getRun(runId);
    return this.store.listSteps(runId);
  }

  /** The handlers to give `JobQueue.createWorker`: each job runs one run from its latest checkpoint. */
  jobHandlers(): JobHandlers {
    return {
      [AGENT_RUN_JOB]: async (job: {
        id: string;
        payload: AgentRunJobPayload;
        signal: AbortSignal;
        attempt: number;
        maxAttempts: number;
      }) => {
        const run = await this.processRun(job.payload.runId, {
          signal: job.signal,
          jobId: job.id,
          finalAttempt: job.attempt >= job.maxAttempts,
          ...(this.stepsPerJob ? { maxSteps: this.stepsPerJob } : {}),
        });
        // Still running after its share of steps: a new job continues from the checkpoint just saved.
        if (run.status === 'running') await this.enqueue(run, `run:${run.runId}:continue:${run.steps}`);
        return { runId: run.runId, status: run.status, stopReason: run.stopReason };
      },
    };
  }

  /**
   * Executes a run from its latest checkpoint until it succeeds, fails or pauses (or `maxSteps`
   * steps were done in this call). A run that is already final or paused is returned unchanged, so
   * a redelivered job is harmless. Throws only for infrastructure failures (the store) and for the
   * abort of `options.signal`; the run then continues on the next attempt.
   */
  async processRun(runId: string, options: ProcessRunOptions = {}): Promise<RunRecord> {
    try {
      return await this.executeRun(runId, options);
    } catch (error) {
      if (RunCancelledError.isInstance(error)) return this.getRun(runId);
      if (error instanceof AbortedError && isJobCancellation(error.reason)) {
        // The job was cancelled (through the queue, or by `cancel`): the run ends `cancelled` too.
        return this.cancel(runId).catch(() => this.getRun(runId));
      }
      throw error;
    }
  }

  private async executeRun(runId: string, options: ProcessRunOptions): Promise<RunRecord> {
    let run = await this.getRun(runId);
    if (FINAL.has(run.status) || run.status === 'paused') return run;
    const definition = this.agents.get(run.name) ?? this.workflows.get(run.name);
    if (!definition) {
      return this.finish(
        run,
        'step_failed',
        new UnknownAgentError({ runId, message: `this runtime has no agent or workflow "${run.name}"` }),
      );
    }
    const signal = options.signal ?? new AbortController().signal;
    return withSpan(
      this.tracer,
      SPAN.agentRun(run.name),
      {
        [ATTR.genAiOperationName]: 'invoke_agent',
        [ATTR.agentName]: run.name,
        'gen_ai.agent.id': runId,
        'ai_scale.agent.run_id': runId,
        [ATTR.tenantId]: run.tenantId,
      },
      async (span) => {
        if (run.status === 'queued' || (options.jobId !== undefined && run.jobId !== options.jobId)) {
          run = {
            ...run,
            status: 'running',
            updatedAt: this.now(),
            ...(options.jobId === undefined ? {} : { jobId: options.jobId }),
          };
          await this.store.updateRun(run);
        }
        const latest = await this.store.loadLatestStep(runId);
        let state: JsonValue = latest?.state ?? this.initialState(definition, run);
        let step = (latest?.step ?? 0) + 1;
        const limits = this.limitsOf(definition);
        let budget = options.maxSteps ?? Number.POSITIVE_INFINITY;
        while (budget > 0) {
          budget -= 1;
          const stop = this.checkBeforeStep(run, limits);
          if (stop) return this.ended(span, await this.finish(run, stop.stopReason, stop.error));
          let outcome: StepOutcome;
          try {
            outcome = await this.runStep(definition, limits, run, step, state, signal);
          } catch (error) {
            if (error instanceof AbortedError && error.reason instanceof DeadlineReached) {
              return this.ended(span, await this.finish(run, 'deadline_exceeded', this.deadlineError(run)));
            }
            if (options.finalAttempt && !(error instanceof AbortedError)) {
              await this.finish(
                run,
                'step_failed',
                new StepFailedError({
                  runId,
                  message: `step ${step} failed: ${describeError(error).message}`,
                  cause: error,
                }),
              ).catch(() => undefined);
            }
            throw error;
          }
          const next = this.applyOutcome(run, step, outcome);
          try {
            await this.store.saveStep(
              { runId, step, state: outcome.state, summary: outcome.summary, createdAt: next.updatedAt },
              next,
            );
          } catch (error) {
            // Another worker saved this step first (a recovered job racing a slow one): it owns the run now.
            if (CheckpointConflictError.isInstance(error) && error.code === 'CHECKPOINT_CONFLICT')
              return this.getRun(runId);
            throw error;
          }
          run = next;
          state = outcome.state;
          if (outcome.end) {
            if (outcome.end.status !== 'paused') this.recordEnd(run);
            return this.ended(span, run);
          }
          step += 1;
        }
        return this.ended(span, run);
      },
    );
  }

  private runStep(
    definition: AnyAgent | AnyWorkflow,
    limits: RunLimits,
    run: RunRecord,
    step: number,
    state: JsonValue,
    jobSignal: AbortSignal,
  ): Promise<StepOutcome> {
    const remaining = run.deadlineAt ? run.deadlineAt.getTime() - this.now().getTime() : undefined;
    const runSignal = childSignal(jobSignal, remaining, () => new DeadlineReached());
    return withSpan(
      this.tracer,
      SPAN.agentStep,
      { [ATTR.agentName]: run.name, 'ai_scale.agent.step': step },
      async (span) => {
        try {
          const common = { run, step, store: this.store, signal: runSignal.signal, now: this.now };
          const outcome =
            definition.kind === 'workflow'
              ? await runWorkflowStep({ ...common, definition, state: state as unknown as WorkflowState })
              : await runAgentStep({ ...common, definition, limits, state: state as unknown as AgentState });
          span.setAttribute('ai_scale.agent.step.end', outcome.end?.status ?? 'continue');
          if (outcome.end && outcome.end.status !== 'paused' && outcome.end.status !== 'succeeded') {
            span.setAttribute(ATTR.errorType, outcome.end.error.code);
          }
          return outcome;
        } finally {
          runSignal.dispose();
        }
      },
    );
  }

  private applyOutcome(run: RunRecord, step: number, outcome: StepOutcome): RunRecord {
    const now = this.now();
    const next: RunRecord = {
      ...run,
      steps: step,
      toolCalls: run.toolCalls + outcome.toolCalls,
      usage: addUsage(run.usage, outcome.usage),
      versions: outcome.modelUsed ? { ...run.versions, lastModelUsed: outcome.modelUsed } : run.versions,
      resumeInput: outcome.consumedResumeInput ? null : run.resumeInput,
      updatedAt: now,
    };
    return outcome.end ? endRecord(next, outcome.end, now) : next;
  }

  private checkBeforeStep(
    run: RunRecord,
    limits: RunLimits,
  ): { stopReason: StopReason; error: AgentRuntimeError } | undefined {
    if (run.deadlineAt && this.now().getTime() >= run.deadlineAt.getTime()) {
      return { stopReason: 'deadline_exceeded', error: this.deadlineError(run) };
    }
    if (run.steps >= limits.maxSteps) {
      return {
        stopReason: 'max_steps',
        error: new AgentStepLimitError({
          runId: run.runId,
          message: `the run took ${run.steps} steps without finishing; the limit is ${limits.maxSteps}`,
          details: { steps: run.steps, maxSteps: limits.maxSteps },
        }),
      };
    }
    return undefined;
  }

  private deadlineError(run: RunRecord): AgentDeadlineExceededError {
    return new AgentDeadlineExceededError({
      runId: run.runId,
      message: `the run passed its deadline (${run.deadlineAt?.toISOString() ?? 'none'})`,
      details: { deadlineAt: run.deadlineAt?.toISOString() ?? null, steps: run.steps },
    });
  }

  private async finish(run: RunRecord, stopReason: StopReason, error: AgentRuntimeError): Promise<RunRecord> {
    const now = this.now();
    const finished = endRecord({ ...run, updatedAt: now }, { status: 'failed', stopReason, error }, now);
    await this.store.updateRun(finished);
    this.recordEnd(finished);
    return finished;
  }

  private ended(span: Span, run: RunRecord): RunRecord {
    span.setAttribute(ATTR.agentStatus, run.status);
    if (run.stopReason) span.setAttribute(ATTR.agentOutcome, run.stopReason);
    span.setAttribute('ai_scale.agent.steps', run.steps);
    return run;
  }

  private recordEnd(run: RunRecord): void {
    const attributes = {
      [ATTR.agentName]: run.name,
      [ATTR.agentOutcome]: run.stopReason ?? run.status,
      [ATTR.agentStatus]: run.status,
    };
    this.instruments.outcome.add(1, attributes);
    this.instruments.steps.record(run.steps, { [ATTR.agentName]: run.name });
    this.instruments.duration.record(
      ((run.finishedAt ?? this.now()).getTime() - run.createdAt.getTime()) / 1000,
      attributes,
    );
    if (run.stopReason === 'loop_detected' || run.stopReason === 'no_progress') {
      this.instruments.loops.add(1, { [ATTR.agentName]: run.name, [ATTR.agentStopKind]: run.stopReason });
    }
  }

  private initialState(definition: AnyAgent | AnyWorkflow, run: RunRecord): JsonValue {
    if (definition.kind === 'workflow') return initialWorkflowState() as unknown as JsonValue;
    return toJson(initialAgentState(initialMessages(definition, run.input)));
  }

  private limitsOf(definition: AnyAgent | AnyWorkflow): RunLimits {
    return resolveLimits(definition.limits);
  }

  private async enqueue(run: RunRecord, idempotencyKey: string): Promise<void> {
    if (!this.queue) return;
    const payload: AgentRunJobPayload = { runId: run.runId };
    await this.queue.enqueue(AGENT_RUN_JOB, payload, {
      tenantId: run.tenantId,
      idempotencyKey,
      attempts: this.jobAttempts,
    });
  }
}

/** The queue's `JobCancelledError` (matched by code: the runtime does not depend on the queue's classes). */
function isJobCancellation(reason: unknown): boolean {
  return describeError(reason).code === 'JOB_CANCELLED';
}

function endRecord(run: RunRecord, end: StepEnd, now: Date): RunRecord {
  switch (end.status) {
    case 'succeeded':
      return {
        ...run,
        status: 'succeeded',
        output: end.output,
        stopReason: end.stopReason,
        error: null,
        finishedAt: now,
      };
    case 'paused':
      return { ...run, status: 'paused', stopReason: 'awaiting_input', awaiting: end.awaiting };
    case 'failed':
      return {
        ...run,
        status: 'failed',
        stopReason: end.stopReason,
        error: { code: end.error.code, message: end.error.message },
        finishedAt: now,
      };
  }
}

function versionsOf(definition: AnyAgent | AnyWorkflow): RunVersions {
  if (definition.kind === 'workflow') {
    const tools: Record<string, string> = {};
    for (const node of allNodes(definition.root))
      if (node.kind === 'task') tools[node.id] = node.version ?? '1';
    return {
      model: null,
      fallbackModel: null,
      lastModelUsed: null,
      promptVersion: definition.version,
      temperature: null,
      seed: null,
      tools,
    };
  }
  return {
    model: definition.model.id,
    fallbackModel: definition.fallbackModel?.id ?? null,
    lastModelUsed: null,
    promptVersion: definition.promptVersion,
    temperature: definition.temperature ?? 0,
    seed: definition.seed ?? null,
    tools: Object.fromEntries(definition.tools.map((tool) => [tool.name, tool.version])),
  };
}
