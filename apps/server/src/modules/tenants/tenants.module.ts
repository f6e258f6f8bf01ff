import { Global, Module } from '@nestjs/common';
import { AdminGuard } from '../../common/auth/admin.guard';
import { ApiKeyGuard } from '../../common/auth/api-key.guard';
import { TenantAuthenticator } from '../../common/auth/tenant-authenticator';
import { CreateTenantUseCase } from './usecases/create-tenant.usecase';
import { ManageKeysUseCase } from './usecases/manage-keys.usecase';
import { UpdateLimitsUseCase } from './usecases/update-limits.usecase';

/** Tenants, keys and authentication. The TENANT_STORE itself comes from the database module. */
@Global()
@Module({
  providers: [
    TenantAuthenticator,
    ApiKeyGuard,
    AdminGuard,
    CreateTenantUseCase,
    ManageKeysUseCase,
    UpdateLimitsUseCase,
  ],
  exports: [
    TenantAuthenticator,
    ApiKeyGuard,
    AdminGuard,
    CreateTenantUseCase,
    ManageKeysUseCase,
    UpdateLimitsUseCase,
  ],
})
export class TenantsModule {}
