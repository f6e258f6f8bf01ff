import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { type AuthenticatedTenant } from '../../modules/tenants/tenant.store';
import { type TenantRequest } from './api-key.guard';

/** The tenant the ApiKeyGuard authenticated. */
export const CurrentTenant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedTenant => {
    const tenant = context.switchToHttp().getRequest<TenantRequest>().tenant;
    if (!tenant) throw new Error('CurrentTenant used on a route without ApiKeyGuard');
    return tenant;
  },
);
