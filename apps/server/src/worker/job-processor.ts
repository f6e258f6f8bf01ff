import { type JobContext } from '@ai-scale/queue';

/** A job handler of the worker role: one job name, one call into a use case. */
export interface JobProcessor<P = unknown, R = unknown> {
  readonly jobName: string;
  process(job: JobContext<P>): Promise<R>;
}
