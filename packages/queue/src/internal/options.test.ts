import { InvalidJobOptionsError } from '../errors';
import { backoffDelay, jsonIssue, resolveEnqueue } from './options';
import { orderingPriority, priorityOf } from './ids';

describe('backoffDelay', () => {
  const backoff = { baseMs: 100, maxMs: 1_000, jitter: 0.5 };

  it('doubles per attempt and caps at maxMs before jitter', () => {
    const none = (): number => 0;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, backoff, none))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('jitters downwards by at most the jitter fraction', () => {
    expect(backoffDelay(2, backoff, () => 0.999_999)).toBe(100);
    expect(backoffDelay(2, backoff, () => 0.5)).toBe(150);
    expect(backoffDelay(2, { ...backoff, jitter: 0 }, () => 0.9)).toBe(200);
  });
});

describe('orderingPriority', () => {
  it('orders by priority band first, then by rank inside the tenant, within BullMQ limits', () => {
    expect(orderingPriority(1, 0)).toBe(1);
    expect(orderingPriority(1, 5)).toBeLessThan(orderingPriority(2, 0));
    expect(orderingPriority(16, 0)).toBeLessThan(orderingPriority(16, 1));
    expect(orderingPriority(32, 10_000_000)).toBe(2 ** 21 - 1);
    expect(priorityOf(orderingPriority(7, 123))).toBe(7);
  });
});

describe('jsonIssue', () => {
  it('accepts plain JSON and names the first value that is not', () => {
    expect(jsonIssue({ a: [1, 'x', null, { b: true }] }, 'payload')).toBeUndefined();
    expect(jsonIssue({ a: [1, { when: new Date(0) }] }, 'payload')).toBe(
      'payload.a[1].when: a Date is not plain JSON',
    );
    expect(jsonIssue({ big: 1n }, 'payload')).toBe('payload.big: bigint is not JSON');
    expect(jsonIssue(Number.POSITIVE_INFINITY, 'payload')).toBe('payload: Infinity is not JSON');
  });
});

describe('resolveEnqueue', () => {
  it('fills defaults', () => {
    expect(resolveEnqueue('job', {}, undefined)).toMatchObject({ priority: 16, attempts: 3, delayMs: 0 });
  });

  it('reports every problem at once', () => {
    try {
      resolveEnqueue('job', () => 1, { priority: 99, attempts: 0 });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidJobOptionsError);
      expect((error as InvalidJobOptionsError).issues).toHaveLength(3);
    }
  });
});
