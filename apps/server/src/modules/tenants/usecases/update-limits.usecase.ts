import { Injectable } from '@nestjs/common';
import { TenantAuthenticator } from '../../../common/auth/tenant-authenticator';
import { NotFoundError } from '../../../common/errors';
import { InjectTenantStore, type TenantLimits, type TenantStore } from '../tenant.store';

@Injectable()
export class UpdateLimitsUseCase {
  constructor(
    @InjectTenantStore() private readonly store: TenantStore,
    private readonly authenticator: TenantAuthenticator,
  ) {}

  async execute(tenantId: string, limits: Partial<TenantLimits>) {
    const tenant = await this.store.updateLimits(tenantId, limits);
    if (!tenant) throw new NotFoundError('tenant', tenantId);
    this.authenticator.invalidate();
    return tenant;
  }
}
