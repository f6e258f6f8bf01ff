import * as fs from 'node:fs';
import * as path from 'node:path';
import { METRIC, METRIC_CATALOG, prometheusMetricName } from '@ai-scale/telemetry';
import { listFiles, repoPath } from './support/files';
import {
  METRIC_ASSUMPTIONS,
  prometheusSeries,
  toPrometheusName,
  type InstrumentKind,
} from './support/metric-catalog';
import { readPromql } from './support/promql';
import { WARNING_SIGNS } from './support/warning-signs';

const KIND_OF_CALL: Record<string, InstrumentKind> = {
  createCounter: 'counter',
  createObservableCounter: 'counter',
  createHistogram: 'histogram',
  createGauge: 'gauge',
  createObservableGauge: 'gauge',
  createUpDownCounter: 'gauge',
  createObservableUpDownCounter: 'gauge',
};

/** `create<Kind>(METRIC.<key>` calls in the packages' and the server's sources (tests excluded). */
function instrumentsInSources(): Map<string, { kind: InstrumentKind; file: string }> {
  const found = new Map<string, { kind: InstrumentKind; file: string }>();
  const roots = [repoPath('packages'), repoPath('apps/server/src')].filter((root) => fs.existsSync(root));
  const files = roots
    .flatMap((root) => listFiles(root, ['.ts']))
    .filter((file) => !file.endsWith('.test.ts') && !file.includes(`${path.sep}dist${path.sep}`));
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\.(create\w+)\(\s*METRIC\.(\w+)/g)) {
      const kind = KIND_OF_CALL[match[1] as string];
      const name = (METRIC as Record<string, string>)[match[2] as string];
      if (kind && name) found.set(name, { kind, file: path.relative(repoPath(), file) });
    }
  }
  return found;
}

describe('the metric assumptions behind alerts and dashboards', () => {
  it('name only metrics of the telemetry package (METRIC)', () => {
    const names = Object.values(METRIC) as string[];
    for (const metric of METRIC_ASSUMPTIONS) expect(names).toContain(metric.name);
  });

  it('cover every metric of every warning sign', () => {
    const assumed = METRIC_ASSUMPTIONS.map((metric) => metric.name as string);
    for (const sign of WARNING_SIGNS) for (const metric of sign.metrics) expect(assumed).toContain(metric);
  });

  it('agree with the instrument kind each package actually creates', () => {
    const inSources = instrumentsInSources();
    const mismatches = METRIC_ASSUMPTIONS.filter((metric) => {
      const actual = inSources.get(metric.name);
      return actual !== undefined && actual.kind !== metric.kind;
    }).map(
      (metric) =>
        `${metric.name}: assumed ${metric.kind}, ${inSources.get(metric.name)?.file} creates a ${inSources.get(metric.name)?.kind}`,
    );
    expect(mismatches).toEqual([]);
  });

  it('name series the way the server renders them: unit suffix, _total, histogram series', () => {
    expect(toPrometheusName('gen_ai.token.type')).toBe('gen_ai_token_type');
    expect(prometheusSeries(METRIC_CATALOG.queueWaitDuration)).toEqual([
      'ai_scale_queue_wait_duration_seconds_bucket',
      'ai_scale_queue_wait_duration_seconds_sum',
      'ai_scale_queue_wait_duration_seconds_count',
    ]);
    expect(prometheusSeries(METRIC_CATALOG.llmCost)).toEqual(['ai_scale_llm_cost_usd_total']);
    expect(prometheusSeries(METRIC_CATALOG.queueDepth)).toEqual(['ai_scale_queue_depth']);
    expect(prometheusSeries(METRIC_CATALOG.genAiClientTokenUsage)[0]).toBe(
      'gen_ai_client_token_usage_bucket',
    );
    expect(prometheusMetricName('x.size', 'By', 'gauge')).toBe('x_size_bytes');
    expect(prometheusMetricName('x.rate', '1/s', 'gauge')).toBe('x_rate_per_second');
    expect(prometheusMetricName('x.ratio', '1', 'gauge')).toBe('x_ratio');
    expect(prometheusMetricName('x.total', '{thing}', 'counter')).toBe('x_total');
  });

  it('give every metric a unit, a description, an owner and namespaced attributes', () => {
    for (const metric of METRIC_ASSUMPTIONS) {
      expect({ name: metric.name, unit: metric.unit.length > 0 }).toEqual({ name: metric.name, unit: true });
      expect(metric.description.length).toBeGreaterThan(10);
      expect(metric.owner).toMatch(/^@ai-scale\//);
      expect(metric.name).toMatch(/^(ai_scale|gen_ai|messaging|http)\./);
      for (const attribute of metric.attributes) {
        expect(attribute).toMatch(/^(ai_scale|gen_ai|messaging|http|error)\./);
      }
    }
  });
});

describe('the PromQL reader', () => {
  it('tells series from functions, keywords, labels, durations and numbers', () => {
    const references = readPromql(
      'histogram_quantile(0.99, sum by (le, kind) (rate(x_bucket{job="api", route!~"/a.*"}[5m] offset 1d))) > 1e3 and on() y',
    );
    expect(references.series.sort()).toEqual(['x_bucket', 'y']);
    expect(references.labels.sort()).toEqual(['job', 'kind', 'le', 'route']);
    expect(references.matchers).toEqual([
      { series: 'x_bucket', label: 'job' },
      { series: 'x_bucket', label: 'route' },
    ]);
  });

  it('ignores Grafana variables', () => {
    expect(readPromql('rate(a_total{q=~"$queue"}[$__rate_interval])').series).toEqual(['a_total']);
  });
});
