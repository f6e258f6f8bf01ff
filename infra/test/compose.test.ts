import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { clone, infraPath, isObject, loadYaml, repoPath, type Json } from './support/files';
import { KNOWN_ENV } from './support/server-env';

const COMPOSE_FILE = infraPath('docker-compose.yml');
const compose = loadYaml<Json>(COMPOSE_FILE);

const SERVER_SERVICES = ['api', 'worker'];
const CONDITIONS = ['service_started', 'service_healthy', 'service_completed_successfully'];

const record = (value: unknown): Json => (isObject(value) ? value : {});
const durationSeconds = (value: unknown): number => {
  const match = /^(\d+)(s|m)$/.exec(String(value));
  return match ? Number(match[1]) * (match[2] === 'm' ? 60 : 1) : Number.NaN;
};

/** Every problem of a compose file: references, images, health, server variables, mounted files. */
function composeProblems(file: Json): string[] {
  const problems: string[] = [];
  const services = record(file.services);
  const names = Object.keys(services);
  for (const [name, raw] of Object.entries(services)) {
    const service = record(raw);
    if (!service.image && !service.build) problems.push(`${name}: neither image nor build`);
    const dependsOn = Array.isArray(service.depends_on)
      ? Object.fromEntries((service.depends_on as string[]).map((dependency) => [dependency, {}]))
      : record(service.depends_on);
    for (const [dependency, options] of Object.entries(dependsOn)) {
      if (!names.includes(dependency)) {
        problems.push(`${name}: depends_on ${dependency}, which is not a service`);
        continue;
      }
      const condition = record(options).condition ?? 'service_started';
      if (!CONDITIONS.includes(String(condition)))
        problems.push(`${name}: unknown condition ${String(condition)}`);
      const target = record(services[dependency]);
      const hasHealthcheck = target.healthcheck !== undefined || target.build !== undefined; // the image has HEALTHCHECK
      if (condition === 'service_healthy' && !hasHealthcheck) {
        problems.push(`${name}: waits for ${dependency} to be healthy, but it has no healthcheck`);
      }
    }
    for (const volume of (Array.isArray(service.volumes) ? service.volumes : []) as unknown[]) {
      const source = String(volume).split(':')[0] ?? '';
      if (source.startsWith('.') && !fs.existsSync(path.resolve(path.dirname(COMPOSE_FILE), source))) {
        problems.push(`${name}: mounts ${source}, which does not exist`);
      }
    }
  }
  for (const name of SERVER_SERVICES) {
    const service = record(services[name]);
    const environment = record(service.environment);
    for (const variable of Object.keys(environment)) {
      if (!KNOWN_ENV.has(variable)) problems.push(`${name}: ${variable} is not a variable the server reads`);
    }
    if (environment.ROLE !== name) problems.push(`${name}: ROLE must be ${name}`);
    const otlp = String(environment.OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
    if (otlp && !names.includes(new URL(otlp).hostname))
      problems.push(`${name}: OTLP endpoint host is not a service`);
    for (const urlVariable of ['REDIS_URL', 'DATABASE_URL', 'OPENAI_BASE_URL', 'S3_ENDPOINT']) {
      const value = environment[urlVariable];
      if (value !== undefined && !names.includes(new URL(String(value)).hostname)) {
        problems.push(`${name}: ${urlVariable} host is not a service`);
      }
    }
    if (String(environment.ADMIN_TOKEN ?? '').length < 16)
      problems.push(`${name}: ADMIN_TOKEN must have 16+ characters`);
  }
  return problems;
}

describe('docker-compose stack (infra/docker-compose.yml)', () => {
  const services = record(compose.services);

  it('runs every piece of the design', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'api',
        'fake-llm',
        'grafana',
        'jaeger',
        'minio',
        'minio-init',
        'otel-collector',
        'postgres',
        'prometheus',
        'redis',
        'worker',
      ].sort(),
    );
  });

  it('passes the reference, health and environment check', () => {
    expect(composeProblems(compose)).toEqual([]);
  });

  it('runs api and worker from one image on the production engines, with several workers', () => {
    const api = record(services.api);
    const worker = record(services.worker);
    expect(api.image).toBe(worker.image);
    const environment = record(worker.environment);
    expect(environment).toMatchObject({ QUEUE_DRIVER: 'bullmq', CACHE_DRIVER: 'redis' });
    expect(String(environment.DATABASE_URL)).toMatch(/^postgres:\/\//);
    expect(Number(record(worker.deploy).replicas)).toBeGreaterThanOrEqual(2);
  });

  it('shares no volume between api and worker: blobs and the index live in MinIO, whose volume is its own', () => {
    const mounts = (name: string): string[] =>
      ((record(services[name]).volumes ?? []) as unknown[]).map(
        (volume) => String(volume).split(':')[0] ?? '',
      );
    const shared = mounts('api').filter((source) => mounts('worker').includes(source));
    expect(shared).toEqual([]);
    for (const name of SERVER_SERVICES) {
      expect(record(record(services[name]).environment)).toMatchObject({
        BLOB_STORE: 's3',
        S3_ENDPOINT: 'http://minio:9000',
        S3_FORCE_PATH_STYLE: 'true',
        VECTOR_STORE: 'lancedb',
      });
    }
    const environment = record(record(services.api).environment);
    expect(String(environment.LANCEDB_URI)).toBe(`s3://${String(environment.S3_BUCKET)}/lancedb`);
    // The bucket exists before a server starts, and the servers' keys are MinIO's.
    const init = record(services['minio-init']);
    expect(String((init.entrypoint as string[]).join(' '))).toContain(
      `local/${String(environment.S3_BUCKET)}`,
    );
    expect(record(record(services.api).depends_on)['minio-init']).toEqual({
      condition: 'service_completed_successfully',
    });
    const minio = record(record(services.minio).environment);
    expect([environment.AWS_ACCESS_KEY_ID, environment.AWS_SECRET_ACCESS_KEY]).toEqual([
      minio.MINIO_ROOT_USER,
      minio.MINIO_ROOT_PASSWORD,
    ]);
    expect(mounts('minio')).toEqual(['minio-data']);
  });

  it.each(SERVER_SERVICES)('gives a stopping %s longer than its shutdown deadline', (name) => {
    const service = record(services[name]);
    const deadlineSeconds = Number(record(service.environment).SHUTDOWN_TIMEOUT_MS ?? 10_000) / 1000;
    // Docker's default grace period is 10 s.
    expect(durationSeconds(service.stop_grace_period ?? '10s')).toBeGreaterThan(deadlineSeconds);
  });

  it('configures Redis for BullMQ (noeviction) and PostgreSQL with the credentials the server uses', () => {
    expect((record(services.redis).command as string[]).join(' ')).toMatch(/--maxmemory-policy noeviction/);
    const postgres = record(record(services.postgres).environment);
    const url = new URL(String(record(record(services.api).environment).DATABASE_URL));
    expect([url.username, url.password, url.pathname.slice(1)]).toEqual([
      postgres.POSTGRES_USER,
      postgres.POSTGRES_PASSWORD,
      postgres.POSTGRES_DB,
    ]);
  });

  it('serves the fake provider from the script llm-gateway ships, on the port the server calls', () => {
    const command = record(services['fake-llm']).command as string[];
    const script = command[1] as string;
    const source = repoPath(script.replace('/dist/', '/src/').replace(/\.js$/, '.ts'));
    expect(fs.existsSync(source)).toBe(true);
    const port = command[command.indexOf('--port') + 1];
    const baseUrl = new URL(String(record(record(services.api).environment).OPENAI_BASE_URL));
    expect(baseUrl.port).toBe(port);
    expect(command[command.indexOf('--host') + 1]).toBe('0.0.0.0');
  });

  describe('the check fails on each mistake it is meant to catch', () => {
    it.each<[string, (copy: Json) => void, RegExp]>([
      [
        'depends_on a service that does not exist',
        (copy) => {
          record(record(record(copy.services).api).depends_on).kafka = { condition: 'service_started' };
        },
        /api: depends_on kafka/,
      ],
      [
        'waiting for health on a service without a healthcheck',
        (copy) => {
          record(record(record(copy.services).grafana).depends_on).jaeger = { condition: 'service_healthy' };
        },
        /waits for jaeger to be healthy/,
      ],
      [
        'a variable the server does not read (a typo)',
        (copy) => {
          record(record(record(copy.services).worker).environment).WORKERS_CONCURRENCY = '4';
        },
        /WORKERS_CONCURRENCY is not a variable the server reads/,
      ],
      [
        'a service with neither image nor build',
        (copy) => {
          delete record(record(copy.services).redis).image;
        },
        /redis: neither image nor build/,
      ],
      [
        'a mounted file that does not exist',
        (copy) => {
          (record(record(copy.services).prometheus).volumes as string[]).push(
            './prometheus/rules.yml:/etc/prometheus/rules.yml:ro',
          );
        },
        /mounts .\/prometheus\/rules.yml/,
      ],
      [
        'a Redis URL on a host that is not a service',
        (copy) => {
          record(record(record(copy.services).api).environment).REDIS_URL = 'redis://localhost:6379';
        },
        /REDIS_URL host is not a service/,
      ],
    ])('%s', (_name, mutate, expected) => {
      const copy = clone(compose);
      mutate(copy);
      expect(composeProblems(copy).join('\n')).toMatch(expected);
    });
  });

  const composeCommand = ((): string[] | undefined => {
    const candidates: string[][] = [['docker', 'compose'], ['docker-compose']];
    return candidates.find((candidate) => {
      try {
        execFileSync(candidate[0] as string, [...candidate.slice(1), 'version'], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    });
  })();
  (composeCommand ? it : it.skip)(
    `is accepted by \`${composeCommand?.join(' ') ?? 'docker compose'} config\`${composeCommand ? '' : ' (skipped: no compose client installed)'}`,
    () => {
      const [binary, ...prefix] = composeCommand as string[];
      const output = execFileSync(
        binary as string,
        [...prefix, '-p', 'ai-scale', '-f', COMPOSE_FILE, 'config'],
        {
          encoding: 'utf8',
          stdio: 'pipe',
        },
      );
      expect(output).toMatch(/worker:/);
    },
  );
});
