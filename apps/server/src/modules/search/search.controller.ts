import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiJsonResponse, TENANT_ERRORS } from '../../common/http/openapi-responses';
import { searchResponse } from './search.responses';
import { z } from 'zod';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { openApiSchema } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import { SearchUseCase } from './search.usecase';

export const searchSchema = z.strictObject({
  query: z.string().trim().min(1, 'must not be empty').max(2000),
  topK: z.number().int().min(1).max(50).default(5),
  mode: z.enum(['vector', 'keyword', 'hybrid']).default('hybrid'),
  filter: z.record(z.string(), z.unknown()).optional(),
  rerank: z.boolean().default(false),
});

@ApiTags('search')
@ApiBearerAuth('apiKey')
@UseGuards(ApiKeyGuard)
@Controller('v1/search')
export class SearchController {
  constructor(private readonly search: SearchUseCase) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      "Search the caller's documents (vector, keyword or hybrid; optional metadata filter and rerank).",
  })
  @ApiBody({ schema: openApiSchema(searchSchema) })
  @ApiJsonResponse(200, 'The best chunks, best first', searchResponse)
  @ApiErrorResponses(...TENANT_ERRORS)
  run(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Body(new ZodValidationPipe(searchSchema)) body: z.output<typeof searchSchema>,
  ) {
    return this.search.execute(tenant.id, body);
  }
}
