import { Module } from '@nestjs/common';
import { GetUsageUseCase } from './get-usage.usecase';

@Module({ providers: [GetUsageUseCase], exports: [GetUsageUseCase] })
export class UsageModule {}
