import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiJsonResponse, TENANT_ERRORS } from '../../common/http/openapi-responses';
import { usageResponse } from './usage.responses';
import { z } from 'zod';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import { GetUsageUseCase } from './get-usage.usecase';

const usageQuerySchema = z.object({
  from: z.iso.date().optional(),
  to: z.iso.date().optional(),
});

@ApiTags('usage')
@ApiBearerAuth('apiKey')
@UseGuards(ApiKeyGuard)
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: GetUsageUseCase) {}

  @Get()
  @ApiOperation({
    summary: "The caller's tokens, cost and cache savings, by day and by model (default: the last 30 days).",
  })
  @ApiQuery({
    name: 'from',
    required: false,
    description: 'First day (YYYY-MM-DD, UTC)',
    schema: { type: 'string', format: 'date' },
  })
  @ApiQuery({
    name: 'to',
    required: false,
    description: 'Last day, inclusive (YYYY-MM-DD, UTC)',
    schema: { type: 'string', format: 'date' },
  })
  @ApiJsonResponse(200, 'Totals, by day and by model, and the monthly budget', usageResponse)
  @ApiErrorResponses(...TENANT_ERRORS)
  get(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Query(new ZodValidationPipe(usageQuerySchema, 'query')) query: z.output<typeof usageQuerySchema>,
  ) {
    return this.usage.execute(tenant, query);
  }
}
