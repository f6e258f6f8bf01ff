import { Module } from '@nestjs/common';
import { FeaturesModule } from '../features.module';
import { DemoSeeder } from './demo-seeder';

@Module({ imports: [FeaturesModule], providers: [DemoSeeder], exports: [DemoSeeder] })
export class DemoModule {}
