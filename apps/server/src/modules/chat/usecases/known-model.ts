import { InvalidRequestError } from '../../../common/errors';

/** A chat request may only name a configured model: refused with 400 before anything is queued or streamed. */
export function assertKnownModel(models: readonly string[], model: string | undefined): void {
  if (model !== undefined && !models.includes(model)) {
    throw new InvalidRequestError(
      `model: unknown model "${model}"; configured: ${models.join(', ')}`,
      'model',
    );
  }
}
