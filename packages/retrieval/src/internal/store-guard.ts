import { RetrievalError, VectorStoreUnavailableError } from '../errors';

/**
 * Runs one vendor call of a store adapter: our own typed errors pass through, anything the SDK
 * throws becomes `VectorStoreUnavailableError` naming the store and the operation.
 */
export async function guardStoreCall<T>(
  store: string,
  operation: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (RetrievalError.isInstance(error)) throw error;
    throw new VectorStoreUnavailableError({
      message: `${store} ${operation} failed: ${String(error)}`,
      cause: error,
    });
  }
}
