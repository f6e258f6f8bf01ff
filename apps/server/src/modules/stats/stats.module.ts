import { Module } from '@nestjs/common';
import { GetStatsUseCase } from './get-stats.usecase';

@Module({ providers: [GetStatsUseCase], exports: [GetStatsUseCase] })
export class StatsModule {}
