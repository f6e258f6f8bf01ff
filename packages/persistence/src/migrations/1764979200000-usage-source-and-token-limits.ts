import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Streams are billed even when they end early: `usage_records.usage_source` says whether the
 * token counts are the provider's (`provider`) or the gateway's count of what was sent and
 * generated (`counted`); `cache_write_tokens` keeps prompt-cache writes (priced apart). Tenants get
 * a tokens-per-minute limit beside their request rate limit.
 */
export class UsageSourceAndTokenLimits1764979200000 implements MigrationInterface {
  readonly name = 'UsageSourceAndTokenLimits1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('usage_records', [
      new TableColumn({ name: 'usage_source', type: 'varchar', length: '16', default: "'provider'" }),
      new TableColumn({ name: 'cache_write_tokens', type: 'integer', default: 0 }),
    ]);
    await queryRunner.addColumn(
      'tenants',
      new TableColumn({ name: 'tokens_per_minute', type: 'integer', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('tenants', 'tokens_per_minute');
    await queryRunner.dropColumn('usage_records', 'cache_write_tokens');
    await queryRunner.dropColumn('usage_records', 'usage_source');
  }
}
