import { chmod, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { TenantAuthenticator } from '../common/auth/tenant-authenticator';
import { type AppConfig, InjectConfig } from '../config';
import { type DocumentStore, InjectDocumentStore } from '../modules/documents/document.store';
import { CreateDocumentUseCase } from '../modules/documents/usecases/create-document.usecase';
import { InjectTenantStore, type TenantStore } from '../modules/tenants/tenant.store';

const KEY_FILE = 'demo-api-key.txt';

/**
 * Embedded mode only: a demo tenant (created once; its key kept in DATA_DIR/demo-api-key.txt, mode
 * 600, so it can be printed on every start) and the project's docs/ ingested once, so search and
 * chat answer something real at once.
 */
@Injectable()
export class DemoSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('demo');
  apiKey: string | undefined;
  tenantId: string | undefined;
  documentsQueued = 0;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @InjectTenantStore() private readonly tenants: TenantStore,
    @InjectDocumentStore() private readonly documents: DocumentStore,
    private readonly authenticator: TenantAuthenticator,
    private readonly createDocument: CreateDocumentUseCase,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureTenant();
    if (this.config.runsApi || this.config.runsWorker) await this.ingestDocs();
  }

  private async ensureTenant(): Promise<void> {
    const keyFile = path.join(this.config.DATA_DIR, KEY_FILE);
    if (existsSync(keyFile)) {
      const stored = (await readFile(keyFile, 'utf8')).trim();
      const tenant = await this.authenticator.authenticate(`Bearer ${stored}`);
      if (tenant) {
        this.apiKey = stored;
        this.tenantId = tenant.id;
        return;
      }
    }
    const { tenant, apiKey } = await this.tenants.createTenant('demo');
    await mkdir(this.config.DATA_DIR, { recursive: true });
    await writeFile(keyFile, `${apiKey}\n`, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    this.authenticator.invalidate();
    this.apiKey = apiKey;
    this.tenantId = tenant.id;
  }

  private async ingestDocs(): Promise<void> {
    const directory = findDocsDirectory(this.config.DEMO_DOCS_DIR);
    if (!directory || !this.tenantId) {
      this.logger.warn('no docs/ folder found: the demo tenant starts empty (set DEMO_DOCS_DIR)');
      return;
    }
    for (const file of await markdownFiles(directory)) {
      const source = path.relative(directory, file);
      if (await this.documents.findByMetadata(this.tenantId, 'source', source)) continue;
      const bytes = await readFile(file);
      await this.createDocument.execute({
        tenantId: this.tenantId,
        bytes,
        title: source,
        filename: path.basename(file),
        declaredMime: 'text/markdown',
        metadata: { source },
      });
      this.documentsQueued += 1;
    }
  }
}

/** DEMO_DOCS_DIR, else the nearest `docs/` above the working directory or this package. */
export function findDocsDirectory(explicit: string | undefined): string | undefined {
  if (explicit) return path.resolve(explicit);
  for (const start of [process.cwd(), __dirname]) {
    let current = path.resolve(start);
    for (let depth = 0; depth < 6; depth += 1) {
      const candidate = path.join(current, 'docs');
      if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
      const parent = path.dirname(current);
      if (parent === current) break;
      current = parent;
    }
  }
  return undefined;
}

async function markdownFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.(md|markdown|txt)$/i.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
