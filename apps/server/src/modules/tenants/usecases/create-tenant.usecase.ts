import { Injectable } from '@nestjs/common';
import { InjectTenantStore, type TenantLimits, type TenantStore } from '../tenant.store';

@Injectable()
export class CreateTenantUseCase {
  constructor(@InjectTenantStore() private readonly store: TenantStore) {}

  /** Creates a tenant and its first key; the plain key is returned here and never again. */
  async execute(input: { name: string } & Partial<TenantLimits>) {
    const { tenant, apiKey, key } = await this.store.createTenant(input.name, input);
    return { tenantId: tenant.id, name: tenant.name, apiKey, keyId: key.id };
  }
}
