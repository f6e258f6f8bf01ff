import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
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
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly usage: GetUsageUseCase) {}

  @Get()
  @ApiOperation({
    summary: "The caller's tokens, cost and cache savings, by day and by model (default: the last 30 days).",
  })
  get(
    @CurrentTenant() tenant: AuthenticatedTenant,
    @Query(new ZodValidationPipe(usageQuerySchema, 'query')) query: z.output<typeof usageQuerySchema>,
  ) {
    return this.usage.execute(tenant, query);
  }
}
