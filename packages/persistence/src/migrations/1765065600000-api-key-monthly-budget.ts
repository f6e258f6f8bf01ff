import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An API key may carry its own monthly LLM budget (USD), reserved against beside the tenant's day
 * and month budgets; null (the default) means the key only counts against its tenant's.
 */
export class ApiKeyMonthlyBudget1765065600000 implements MigrationInterface {
  readonly name = 'ApiKeyMonthlyBudget1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'api_keys',
      new TableColumn({ name: 'monthly_budget_usd', type: 'double precision', isNullable: true }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('api_keys', 'monthly_budget_usd');
  }
}
