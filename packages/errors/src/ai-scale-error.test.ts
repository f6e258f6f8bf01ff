import { AiScaleError, type ErrorCategory } from './index';

class ExampleError extends AiScaleError {
  readonly code = 'EXAMPLE_FAILED';
  readonly category: ErrorCategory;
  constructor(category: ErrorCategory, isRetryable?: boolean) {
    super({ message: 'example failed', cause: new Error('root'), isRetryable, details: { field: 'x' } });
    this.category = category;
  }
}

describe('AiScaleError', () => {
  it('is recognised by marker, even without the same prototype', () => {
    const error = new ExampleError('USER');
    expect(AiScaleError.isInstance(error)).toBe(true);
    expect(AiScaleError.isInstance(new Error('plain'))).toBe(false);
    expect(AiScaleError.isInstance({ [Symbol.for('ai-scale.error')]: true })).toBe(true);
    expect(AiScaleError.isInstance(null)).toBe(false);
  });

  it('derives retryability from the category unless overridden', () => {
    expect(new ExampleError('USER').isRetryable).toBe(false);
    expect(new ExampleError('THIRD_PARTY').isRetryable).toBe(true);
    expect(new ExampleError('SYSTEM', false).isRetryable).toBe(false);
  });

  it('keeps name, cause and a serialisable shape', () => {
    const error = new ExampleError('SYSTEM');
    expect(error.name).toBe('ExampleError');
    expect((error.cause as Error).message).toBe('root');
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'EXAMPLE_FAILED',
      message: 'example failed',
      category: 'SYSTEM',
      details: { field: 'x' },
    });
  });
});
