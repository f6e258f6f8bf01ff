import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  columnTypes,
  createdAtColumn,
  idColumn,
  jsonColumn,
  updatedAtColumn,
  uuidColumn,
} from './column-types';

/** `owner.column` references `referenced.id`; deleting the referenced row deletes the owner's rows. */
const cascadingForeignKey = (owner: string, column: string, referenced: string): TableForeignKey =>
  new TableForeignKey({
    name: `fk_${owner}_${column}`,
    columnNames: [column],
    referencedTableName: referenced,
    referencedColumnNames: ['id'],
    onDelete: 'CASCADE',
  });

/** The first schema: tenants, API keys, documents, chunks, conversations, messages, usage, agent runs. */
export class InitialSchema1764115200000 implements MigrationInterface {
  readonly name = 'InitialSchema1764115200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const types = columnTypes(queryRunner);
    const tenantFk = (owner: string): TableForeignKey => cascadingForeignKey(owner, 'tenant_id', 'tenants');
    const create = (table: Table): Promise<void> => queryRunner.createTable(table, false, true, true);

    await create(
      new Table({
        name: 'tenants',
        columns: [
          idColumn(types),
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'status', type: 'varchar', length: '16', default: "'active'" },
          { name: 'daily_budget_usd', type: 'double precision', isNullable: true },
          { name: 'monthly_budget_usd', type: 'double precision', isNullable: true },
          { name: 'rate_limit_per_minute', type: 'integer', isNullable: true },
          createdAtColumn(types),
          updatedAtColumn(types),
        ],
      }),
    );

    await create(
      new Table({
        name: 'api_keys',
        columns: [
          idColumn(types),
          uuidColumn(types, 'tenant_id'),
          { name: 'prefix', type: 'varchar', length: '32' },
          { name: 'key_hash', type: 'varchar', length: '64' },
          { name: 'name', type: 'varchar', length: '200', isNullable: true },
          createdAtColumn(types),
          { name: 'last_used_at', type: types.timestamp, isNullable: true },
          { name: 'revoked_at', type: types.timestamp, isNullable: true },
        ],
        indices: [
          new TableIndex({ name: 'idx_api_keys_tenant_id', columnNames: ['tenant_id'] }),
          new TableIndex({ name: 'idx_api_keys_prefix', columnNames: ['prefix'] }),
          new TableIndex({ name: 'uq_api_keys_key_hash', columnNames: ['key_hash'], isUnique: true }),
        ],
        foreignKeys: [tenantFk('api_keys')],
      }),
    );

    await create(
      new Table({
        name: 'documents',
        columns: [
          idColumn(types),
          uuidColumn(types, 'tenant_id'),
          { name: 'title', type: 'varchar', length: '512' },
          { name: 'mime_type', type: 'varchar', length: '255' },
          { name: 'size_bytes', type: 'integer' },
          { name: 'content_hash', type: 'varchar', length: '64' },
          { name: 'status', type: 'varchar', length: '16', default: "'pending'" },
          jsonColumn('error'),
          jsonColumn('metadata', '{}'),
          { name: 'chunk_count', type: 'integer', default: 0 },
          createdAtColumn(types),
          updatedAtColumn(types),
        ],
        indices: [
          new TableIndex({ name: 'idx_documents_tenant_id', columnNames: ['tenant_id'] }),
          new TableIndex({ name: 'idx_documents_tenant_id_status', columnNames: ['tenant_id', 'status'] }),
          new TableIndex({
            name: 'idx_documents_tenant_id_content_hash',
            columnNames: ['tenant_id', 'content_hash'],
          }),
        ],
        foreignKeys: [tenantFk('documents')],
      }),
    );

    await create(
      new Table({
        name: 'chunks',
        columns: [
          idColumn(types),
          uuidColumn(types, 'tenant_id'),
          uuidColumn(types, 'document_id'),
          { name: 'ordinal', type: 'integer' },
          { name: 'content_hash', type: 'varchar', length: '64' },
          { name: 'text', type: 'text' },
          { name: 'token_count', type: 'integer' },
          jsonColumn('metadata', '{}'),
        ],
        uniques: [
          {
            name: 'uq_chunks_tenant_document_hash',
            columnNames: ['tenant_id', 'document_id', 'content_hash'],
          },
        ],
        indices: [
          new TableIndex({ name: 'idx_chunks_tenant_id', columnNames: ['tenant_id'] }),
          new TableIndex({ name: 'idx_chunks_document_id_ordinal', columnNames: ['document_id', 'ordinal'] }),
        ],
        foreignKeys: [tenantFk('chunks'), cascadingForeignKey('chunks', 'document_id', 'documents')],
      }),
    );

    await create(
      new Table({
        name: 'conversations',
        columns: [
          idColumn(types),
          uuidColumn(types, 'tenant_id'),
          { name: 'title', type: 'varchar', length: '512', isNullable: true },
          { name: 'summary', type: 'text', isNullable: true },
          { name: 'summarized_up_to', type: 'integer', default: 0 },
          createdAtColumn(types),
          updatedAtColumn(types),
        ],
        indices: [new TableIndex({ name: 'idx_conversations_tenant_id', columnNames: ['tenant_id'] })],
        foreignKeys: [tenantFk('conversations')],
      }),
    );

    await create(
      new Table({
        name: 'messages',
        columns: [
          idColumn(types),
          uuidColumn(types, 'conversation_id'),
          uuidColumn(types, 'tenant_id'),
          { name: 'ordinal', type: 'integer' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'content', type: 'text' },
          { name: 'token_count', type: 'integer', default: 0 },
          jsonColumn('citations', '[]'),
          createdAtColumn(types),
        ],
        uniques: [{ name: 'uq_messages_conversation_ordinal', columnNames: ['conversation_id', 'ordinal'] }],
        indices: [new TableIndex({ name: 'idx_messages_tenant_id', columnNames: ['tenant_id'] })],
        foreignKeys: [
          cascadingForeignKey('messages', 'conversation_id', 'conversations'),
          tenantFk('messages'),
        ],
      }),
    );

    await create(
      new Table({
        name: 'usage_records',
        columns: [
          idColumn(types),
          uuidColumn(types, 'tenant_id'),
          { name: 'request_id', type: 'varchar', length: '64' },
          { name: 'day', type: 'varchar', length: '10' },
          { name: 'provider', type: 'varchar', length: '64' },
          { name: 'model', type: 'varchar', length: '128' },
          { name: 'prompt_tokens', type: 'integer', default: 0 },
          { name: 'completion_tokens', type: 'integer', default: 0 },
          { name: 'cached_tokens', type: 'integer', default: 0 },
          { name: 'cost_usd', type: 'double precision', default: 0 },
          { name: 'cache_kind', type: 'varchar', length: '16', isNullable: true },
          { name: 'saved_tokens', type: 'integer', default: 0 },
          { name: 'saved_cost_usd', type: 'double precision', default: 0 },
          createdAtColumn(types),
        ],
        indices: [
          new TableIndex({ name: 'idx_usage_records_tenant_id_day', columnNames: ['tenant_id', 'day'] }),
          new TableIndex({ name: 'idx_usage_records_request_id', columnNames: ['request_id'] }),
        ],
        foreignKeys: [tenantFk('usage_records')],
      }),
    );

    await create(
      new Table({
        name: 'agent_runs',
        columns: [
          idColumn(types),
          uuidColumn(types, 'tenant_id'),
          { name: 'agent', type: 'varchar', length: '128' },
          { name: 'state', type: 'varchar', length: '32' },
          jsonColumn('input'),
          jsonColumn('output'),
          jsonColumn('error'),
          { name: 'model', type: 'varchar', length: '128', isNullable: true },
          { name: 'prompt_version', type: 'varchar', length: '64', isNullable: true },
          jsonColumn('tool_versions', '{}'),
          jsonColumn('usage', '{}'),
          { name: 'step_count', type: 'integer', default: 0 },
          createdAtColumn(types),
          updatedAtColumn(types),
          { name: 'version', type: 'integer', default: 1 },
        ],
        indices: [
          new TableIndex({ name: 'idx_agent_runs_tenant_id', columnNames: ['tenant_id'] }),
          new TableIndex({ name: 'idx_agent_runs_tenant_id_state', columnNames: ['tenant_id', 'state'] }),
        ],
        foreignKeys: [tenantFk('agent_runs')],
      }),
    );

    await create(
      new Table({
        name: 'agent_steps',
        columns: [
          idColumn(types),
          uuidColumn(types, 'run_id'),
          { name: 'ordinal', type: 'integer' },
          { name: 'kind', type: 'varchar', length: '32' },
          jsonColumn('payload'),
          createdAtColumn(types),
        ],
        uniques: [{ name: 'uq_agent_steps_run_ordinal', columnNames: ['run_id', 'ordinal'] }],
        foreignKeys: [cascadingForeignKey('agent_steps', 'run_id', 'agent_runs')],
      }),
    );

    await create(
      new Table({
        name: 'tool_call_records',
        columns: [
          idColumn(types),
          uuidColumn(types, 'run_id'),
          { name: 'idempotency_key', type: 'varchar', length: '255' },
          jsonColumn('result'),
          createdAtColumn(types),
        ],
        indices: [
          new TableIndex({ name: 'idx_tool_call_records_run_id', columnNames: ['run_id'] }),
          new TableIndex({
            name: 'uq_tool_call_records_idempotency_key',
            columnNames: ['idempotency_key'],
            isUnique: true,
          }),
        ],
        foreignKeys: [cascadingForeignKey('tool_call_records', 'run_id', 'agent_runs')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'tool_call_records',
      'agent_steps',
      'agent_runs',
      'usage_records',
      'messages',
      'conversations',
      'chunks',
      'documents',
      'api_keys',
      'tenants',
    ]) {
      await queryRunner.dropTable(table, true, true, true);
    }
  }
}
