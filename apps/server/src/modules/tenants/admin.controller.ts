import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ADMIN_ERRORS, ApiErrorResponses, ApiJsonResponse } from '../../common/http/openapi-responses';
import {
  apiKeyResponse,
  createdTenantResponse,
  limitsResponse,
  revokedKeyResponse,
  rotatedKeyResponse,
  tenantResponse,
} from './tenants.responses';
import { z } from 'zod';
import { AdminGuard } from '../../common/auth/admin.guard';
import { openApiSchema } from '../../common/validation/openapi';
import { ZodValidationPipe } from '../../common/validation/zod-validation.pipe';
import { CreateTenantUseCase } from './usecases/create-tenant.usecase';
import { ManageKeysUseCase } from './usecases/manage-keys.usecase';
import { UpdateLimitsUseCase } from './usecases/update-limits.usecase';

const limitsShape = {
  monthlyBudgetUsd: z.number().min(0).nullable().optional(),
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).nullable().optional(),
  tokensPerMinute: z.number().int().min(1).max(1_000_000_000).nullable().optional(),
};
const createTenantSchema = z.strictObject({ name: z.string().trim().min(1).max(200), ...limitsShape });
const limitsSchema = z.strictObject(limitsShape);
const keyBudgetSchema = z.number().min(0).nullable().optional();
const rotateSchema = z
  .strictObject({ revokeExisting: z.boolean().default(false), monthlyBudgetUsd: keyBudgetSchema })
  .default({ revokeExisting: false });
const keyLimitsSchema = z.strictObject({ monthlyBudgetUsd: keyBudgetSchema });
/** Only the limits the body names (exactOptionalPropertyTypes: no `undefined` values). */
const keyLimits = (body: { monthlyBudgetUsd?: number | null | undefined }) =>
  body.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: body.monthlyBudgetUsd } : {};
const idSchema = z.string().min(1).max(100);

@ApiTags('admin')
@ApiBearerAuth('adminToken')
@ApiErrorResponses(...ADMIN_ERRORS)
@UseGuards(AdminGuard)
@Controller('v1/admin/tenants')
export class AdminController {
  constructor(
    private readonly createTenant: CreateTenantUseCase,
    private readonly keys: ManageKeysUseCase,
    private readonly limits: UpdateLimitsUseCase,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create a tenant; returns its first API key, shown only this once.' })
  @ApiBody({ schema: openApiSchema(createTenantSchema) })
  @ApiJsonResponse(201, 'The tenant and its first API key (shown only here)', createdTenantResponse)
  create(@Body(new ZodValidationPipe(createTenantSchema)) body: z.output<typeof createTenantSchema>) {
    return this.createTenant.execute(body);
  }

  @Get(':tenantId')
  @ApiOperation({ summary: 'A tenant, its limits and its keys (prefixes only).' })
  @ApiJsonResponse(200, 'The tenant', tenantResponse)
  @ApiErrorResponses(404)
  describe(@Param('tenantId', new ZodValidationPipe(idSchema, 'param')) tenantId: string) {
    return this.keys.describe(tenantId);
  }

  @Patch(':tenantId')
  @ApiOperation({
    summary:
      'Set the monthly budget (USD), the per-key rate limit (requests/minute) and the LLM tokens per minute; null resets.',
  })
  @ApiBody({ schema: openApiSchema(limitsSchema) })
  @ApiJsonResponse(200, 'The tenant with its new limits', limitsResponse)
  @ApiErrorResponses(404)
  updateLimits(
    @Param('tenantId', new ZodValidationPipe(idSchema, 'param')) tenantId: string,
    @Body(new ZodValidationPipe(limitsSchema)) body: z.output<typeof limitsSchema>,
  ) {
    return this.limits.execute(tenantId, body);
  }

  @Post(':tenantId/keys')
  @HttpCode(201)
  @ApiOperation({
    summary:
      'Rotate: issue a new key (shown once); `revokeExisting` revokes the others at once; `monthlyBudgetUsd` gives the new key its own monthly LLM budget.',
  })
  @ApiBody({ schema: openApiSchema(rotateSchema), required: false })
  @ApiJsonResponse(201, 'The new key (shown only here)', rotatedKeyResponse)
  @ApiErrorResponses(404)
  rotate(
    @Param('tenantId', new ZodValidationPipe(idSchema, 'param')) tenantId: string,
    @Body(new ZodValidationPipe(rotateSchema, 'query')) body: z.output<typeof rotateSchema>,
  ) {
    return this.keys.rotate(tenantId, body.revokeExisting, keyLimits(body));
  }

  @Patch(':tenantId/keys/:keyId')
  @ApiOperation({
    summary:
      "Set a key's own monthly LLM budget (USD), reserved against beside the tenant's; null removes it.",
  })
  @ApiBody({ schema: openApiSchema(keyLimitsSchema) })
  @ApiJsonResponse(200, 'The key with its new budget', apiKeyResponse)
  @ApiErrorResponses(404)
  updateKey(
    @Param('tenantId', new ZodValidationPipe(idSchema, 'param')) tenantId: string,
    @Param('keyId', new ZodValidationPipe(idSchema, 'param')) keyId: string,
    @Body(new ZodValidationPipe(keyLimitsSchema)) body: z.output<typeof keyLimitsSchema>,
  ) {
    return this.keys.update(tenantId, keyId, keyLimits(body));
  }

  @Delete(':tenantId/keys/:keyId')
  @ApiOperation({ summary: 'Revoke a key: it stops authenticating within seconds everywhere.' })
  @ApiJsonResponse(200, 'Revoked', revokedKeyResponse)
  @ApiErrorResponses(404)
  revoke(
    @Param('tenantId', new ZodValidationPipe(idSchema, 'param')) tenantId: string,
    @Param('keyId', new ZodValidationPipe(idSchema, 'param')) keyId: string,
  ) {
    return this.keys.revoke(tenantId, keyId);
  }
}
