import { Global, Module } from '@nestjs/common';
import { ReadinessRegistry } from './readiness.registry';

@Global()
@Module({ providers: [ReadinessRegistry], exports: [ReadinessRegistry] })
export class ReadinessModule {}
