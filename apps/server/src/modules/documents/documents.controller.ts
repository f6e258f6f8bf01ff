import { AiScaleError } from '@ai-scale/errors';
import type {} from '@fastify/multipart';
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query, Req, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiJsonResponse, TENANT_ERRORS } from '../../common/http/openapi-responses';
import {
  documentAcceptedResponse,
  documentDeletedResponse,
  documentListResponse,
  documentResponse,
} from './documents.responses';
import { type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { InvalidRequestError } from '../../common/errors';
import { openApiSchema } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import { CreateDocumentUseCase } from './usecases/create-document.usecase';
import { DeleteDocumentUseCase } from './usecases/delete-document.usecase';
import { GetDocumentUseCase } from './usecases/get-document.usecase';
import { type DocumentRecord } from './document.store';

const metadataSchema = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'metadata keys are identifiers'),
    z.union([z.string().max(1000), z.number(), z.boolean()]),
  )
  .refine((value) => Object.keys(value).length <= 32, 'at most 32 metadata keys')
  .default({});
const createDocumentSchema = z.strictObject({
  text: z.string().trim().min(1, 'must not be empty'),
  title: z.string().trim().min(1).max(300).optional(),
  metadata: metadataSchema,
});
const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).default(0),
});

@ApiTags('documents')
@ApiBearerAuth('apiKey')
@ApiErrorResponses(...TENANT_ERRORS)
@UseGuards(ApiKeyGuard)
@Controller('v1/documents')
export class DocumentsController {
  constructor(
    private readonly createDocument: CreateDocumentUseCase,
    private readonly getDocument: GetDocumentUseCase,
    private readonly deleteDocument: DeleteDocumentUseCase,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiOperation({
    summary:
      'Add a document (JSON {text, title?, metadata?} or a multipart `file` with optional `title`, `metadata` fields); ingested in the background.',
  })
  @ApiBody({ schema: openApiSchema(createDocumentSchema) })
  @ApiJsonResponse(202, 'Stored; ingestion runs in the background', documentAcceptedResponse)
  @ApiErrorResponses(413, 415)
  async create(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Req() request: FastifyRequest,
    @Body() body: unknown,
  ) {
    if (request.isMultipart()) return this.createFromMultipart(tenant, request);
    const input = new ZodValidationPipe(createDocumentSchema).transform(body);
    return this.createDocument.execute({
      tenantId: tenant.id,
      bytes: new TextEncoder().encode(input.text),
      title: input.title,
      declaredMime: 'text/markdown',
      filename: input.title ? undefined : 'document.md',
      metadata: input.metadata,
    });
  }

  @Get()
  @ApiOperation({ summary: "The caller's documents, newest first." })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiJsonResponse(200, 'One page of documents', documentListResponse)
  async list(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Query(new ZodValidationPipe(pageSchema, 'query')) page: z.output<typeof pageSchema>,
  ) {
    return { documents: (await this.getDocument.list(tenant.id, page)).map(toView) };
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'A document: status (queued|processing|ready|failed), chunk count, metadata; when failed, error and errorCode (the typed error code).',
  })
  @ApiJsonResponse(200, 'The document', documentResponse)
  @ApiErrorResponses(404)
  async get(@CurrentTenant() tenant: AuthenticatedTenant, @Param('id') id: string) {
    return toView(await this.getDocument.execute(tenant.id, id));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a document: its chunks leave the index and answers that cited it leave the cache.',
  })
  @ApiJsonResponse(200, 'Deleted', documentDeletedResponse)
  @ApiErrorResponses(404)
  delete(@CurrentTenant() tenant: AuthenticatedTenant, @Param('id') id: string) {
    return this.deleteDocument.execute(tenant.id, id);
  }

  private async createFromMultipart(tenant: AuthenticatedTenant, request: FastifyRequest) {
    const { file, fields } = await readMultipart(request);
    if (!file) throw new InvalidRequestError('a multipart upload needs a `file` field', 'file');
    if (file.bytes.byteLength === 0) throw new InvalidRequestError('file: the file is empty', 'file');
    let metadata: unknown = {};
    if (fields.metadata !== undefined) {
      try {
        metadata = JSON.parse(fields.metadata);
      } catch {
        throw new InvalidRequestError('metadata: must be a JSON object', 'metadata');
      }
    }
    const parsedMetadata = new ZodValidationPipe(z.object({ metadata: metadataSchema })).transform({
      metadata,
    });
    const title = fields.title?.trim() || undefined;
    return this.createDocument.execute({
      tenantId: tenant.id,
      bytes: file.bytes,
      title,
      filename: file.filename,
      declaredMime: file.mimetype,
      metadata: parsedMetadata.metadata,
    });
  }
}

/**
 * The parts of a multipart upload. A body the multipart parser cannot read (no boundary, truncated,
 * malformed) is the caller's error: 400, not the parser's bare `Error` surfacing as a 500. Limit
 * errors (413) and our own typed errors keep their status.
 */
async function readMultipart(request: FastifyRequest): Promise<{
  file: { bytes: Buffer; filename: string; mimetype: string } | undefined;
  fields: Record<string, string>;
}> {
  let file: { bytes: Buffer; filename: string; mimetype: string } | undefined;
  const fields: Record<string, string> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || file)
          throw new InvalidRequestError('send exactly one file, in the field `file`', 'file');
        file = { bytes: await part.toBuffer(), filename: part.filename, mimetype: part.mimetype };
      } else {
        fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    const hasStatus = typeof (error as { statusCode?: unknown }).statusCode === 'number';
    if (AiScaleError.isInstance(error) || hasStatus) throw error;
    throw new InvalidRequestError(
      `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`,
      'file',
    );
  }
  return { file, fields };
}

function toView(document: DocumentRecord) {
  return {
    id: document.id,
    title: document.title,
    status: document.status,
    contentType: document.contentType,
    sizeBytes: document.sizeBytes,
    chunkCount: document.chunkCount,
    metadata: document.metadata,
    jobId: document.jobId,
    error: document.error,
    /** The typed error's code of a failed ingestion (e.g. DOCUMENT_ENCRYPTED), else null. */
    errorCode: document.error ? (/^([A-Z][A-Z0-9_]+): /.exec(document.error)?.[1] ?? null) : null,
    createdAt: document.createdAt.toISOString(),
    updatedAt: document.updatedAt.toISOString(),
  };
}
