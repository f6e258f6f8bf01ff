import { BadRequestException, NotFoundException } from '@nestjs/common';
import { BudgetExceededError, ProviderUnavailableError } from '@ai-scale/llm-gateway';
import { QueueUnavailableError } from '@ai-scale/queue';
import { DependencyUnavailableError, InvalidRequestError, NotFoundError, UnauthorizedError } from '../errors';
import { mapError } from './error-mapping';

describe('mapError: the one place error codes become HTTP statuses', () => {
  it.each([
    [new InvalidRequestError('topK: expected a number', 'topK'), 400, 'INVALID_REQUEST'],
    [new UnauthorizedError(), 401, 'UNAUTHORIZED'],
    [
      new BudgetExceededError({ message: 'over', tenantId: 't', period: 'month', limitUsd: 1, spentUsd: 2 }),
      402,
      'BUDGET_EXCEEDED',
    ],
    [new NotFoundError('document', 'd1'), 404, 'NOT_FOUND'],
    [new DependencyUnavailableError('queue'), 503, 'DEPENDENCY_UNAVAILABLE'],
    [new BadRequestException('bad'), 400, 'INVALID_REQUEST'],
    [new NotFoundException('Cannot GET /x'), 404, 'NOT_FOUND'],
    [
      Object.assign(new Error('Request body is too large'), {
        statusCode: 413,
        code: 'FST_ERR_CTP_BODY_TOO_LARGE',
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [new Error('boom'), 500, 'INTERNAL'],
  ])('%s → %i %s', (error, status, code) => {
    const mapped = mapError(error);
    expect(mapped.status).toBe(status);
    expect(mapped.body.error.code).toBe(code);
    expect(typeof mapped.body.error.message).toBe('string');
  });

  it('names the offending field and adds Retry-After to 503s, hiding internals of 5xx messages', () => {
    expect(mapError(new InvalidRequestError('topK: bad', 'topK')).body.error.field).toBe('topK');
    const queueDown = mapError(new QueueUnavailableError('ECONNREFUSED 10.0.0.7:6379'));
    expect(queueDown.status).toBe(503);
    expect(queueDown.retryAfterSeconds).toBe(1);
    expect(queueDown.body.error.message).not.toContain('10.0.0.7');
    const provider = mapError(new ProviderUnavailableError({ message: 'upstream 502 from api.example.com' }));
    expect(provider.status).toBe(503);
    expect(provider.body.error.message).not.toContain('example.com');
    expect(mapError(new Error('secret stack')).body.error.message).toBe('internal error');
  });
});
