import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponses, ApiJsonResponse, TENANT_ERRORS } from '../../common/http/openapi-responses';
import { statsResponse } from './stats.responses';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { CurrentTenant } from '../../common/auth/current-tenant.decorator';
import { type AuthenticatedTenant } from '../tenants/tenant.store';
import { GetStatsUseCase } from './get-stats.usecase';

@ApiTags('stats')
@ApiBearerAuth('apiKey')
@UseGuards(ApiKeyGuard)
@Controller('v1/stats')
export class StatsController {
  constructor(private readonly stats: GetStatsUseCase) {}

  @Get()
  @ApiOperation({
    summary:
      'Live panel data: request latency p50/p99 per minute (this process), queue depth, cache hit rate, tokens and cost over time (your tenant).',
  })
  @ApiJsonResponse(200, 'The live panel data', statsResponse)
  @ApiErrorResponses(...TENANT_ERRORS)
  get(@CurrentTenant() tenant: AuthenticatedTenant) {
    return this.stats.execute(tenant.id);
  }
}
