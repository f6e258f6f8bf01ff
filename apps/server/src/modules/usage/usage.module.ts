import { Module } from '@nestjs/common';
import { BudgetGuard } from './budget-guard';
import { GetUsageUseCase } from './get-usage.usecase';

@Module({ providers: [GetUsageUseCase, BudgetGuard], exports: [GetUsageUseCase, BudgetGuard] })
export class UsageModule {}
