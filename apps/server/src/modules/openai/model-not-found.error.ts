import { ServerError } from '../../common/errors/server.error';

/** The `model` of an OpenAI-compatible request is neither `auto` nor a configured model (404, like OpenAI). */
export class ModelNotFoundError extends ServerError {
  readonly code = 'MODEL_NOT_FOUND';
  readonly category = 'USER' as const;

  constructor(model: string, available: readonly string[]) {
    super({
      message: `The model \`${model}\` does not exist on this server; available: ${available.join(', ')}`,
      details: { field: 'model' },
    });
  }
}
