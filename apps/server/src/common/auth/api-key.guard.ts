import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors';
import { TenantAuthenticator } from './tenant-authenticator';
import { type AuthenticatedTenant } from '../../modules/tenants/tenant.store';

export type TenantRequest = FastifyRequest & { tenant?: AuthenticatedTenant; tenantId?: string };

/** Every /v1 route except admin: the caller's API key decides the tenant; no key or a bad one is 401. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly authenticator: TenantAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<TenantRequest>();
    const tenant = request.tenant ?? (await this.authenticator.authenticate(request.headers.authorization));
    if (!tenant) throw new UnauthorizedError();
    request.tenant = tenant;
    request.tenantId = tenant.id;
    return true;
  }
}
