import { Module } from '@nestjs/common';
import { SearchUseCase } from './search.usecase';

@Module({ providers: [SearchUseCase], exports: [SearchUseCase] })
export class SearchModule {}
