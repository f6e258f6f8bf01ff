import * as fs from 'node:fs';
import { METRIC_CATALOG, prometheusSeries } from '@ai-scale/telemetry';
import { catalogueTable, tableIn } from './support/catalogue-table';
import { infraPath, loadJson, readText, repoPath } from './support/files';
import { metricsRead } from './support/series-check';

const OPERATIONS = repoPath('docs/operations.md');

const panelExpressions = (): string[] => {
  const board = loadJson<{ panels: ReadonlyArray<{ targets?: ReadonlyArray<{ expr?: string }> }> }>(
    infraPath('grafana/dashboards/ai-scale.json'),
  );
  return board.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
};

/**
 * The catalogue of @ai-scale/telemetry is the one source: docs/operations.md's metric table is
 * generated from it, and every series the alert rules and the dashboard read is one of its series
 * (the per-expression series and label checks are in prometheus.test.ts and grafana.test.ts).
 */
describe('the telemetry catalogue, the docs, the alert rules and the dashboard agree', () => {
  it('docs/operations.md carries the table generated from the catalogue', () => {
    const expected = catalogueTable();
    if (process.env.WRITE_CATALOGUE_TABLE === '1') {
      const markdown = readText(OPERATIONS);
      const current = tableIn(markdown);
      if (current === undefined) throw new Error('docs/operations.md has no metric-catalogue markers');
      fs.writeFileSync(OPERATIONS, markdown.replace(current, expected));
    }
    expect(tableIn(readText(OPERATIONS))).toBe(expected);
  });

  it('docs/operations.md names no Prometheus series outside the catalogue', () => {
    const known = new Set(Object.values(METRIC_CATALOG).flatMap((metric) => prometheusSeries(metric)));
    const families = new Set([...known].map((series) => series.replace(/_(bucket|sum|count)$/, '')));
    const mentioned = [
      ...readText(OPERATIONS).matchAll(/`((?:ai_scale|gen_ai|http|messaging)_[a-z_]+)`/g),
    ].map((match) => match[1] as string);
    const labels = new Set(
      Object.values(METRIC_CATALOG).flatMap((metric) =>
        metric.attributes.map((attribute) => attribute.replace(/[^a-zA-Z0-9_]/g, '_')),
      ),
    );
    // Families of the OpenTelemetry instrumentations, documented next to the table.
    const instrumentation = new Set(['http_client_request_duration_seconds']);
    const unknown = mentioned.filter(
      (name) => !known.has(name) && !families.has(name) && !labels.has(name) && !instrumentation.has(name),
    );
    expect([...new Set(unknown)]).toEqual([]);
  });

  it('plots every catalogued metric on the dashboard, except the ones listed here with a reason', () => {
    const notPlotted: Record<string, string> = {
      [METRIC_CATALOG.queueProcessDuration.name]: 'attempt time; queue wait is what users feel',
      [METRIC_CATALOG.cacheEvictions.name]: 'capacity detail, read ad hoc',
      [METRIC_CATALOG.cacheLookupDuration.name]: 'sub-millisecond; in the trace of a slow request',
      [METRIC_CATALOG.cacheTokensSaved.name]: 'see ai_scale.cache.cost.saved',
      [METRIC_CATALOG.cacheCostSaved.name]: 'reported by /v1/usage per tenant',
      [METRIC_CATALOG.retrievalIngestChunks.name]: 'ingestion volume, read ad hoc',
      [METRIC_CATALOG.retrievalEmbedDuration.name]: 'part of the search and ingest durations',
      [METRIC_CATALOG.agentRunDuration.name]: 'steps per run is the warning sign',
    };
    const plotted = new Set(
      panelExpressions().flatMap((expression) => [...metricsRead(expression, new Map())]),
    );
    const missing = Object.values(METRIC_CATALOG)
      .map((metric) => metric.name)
      .filter((name) => !plotted.has(name) && notPlotted[name] === undefined);
    expect(missing).toEqual([]);
    expect(Object.keys(notPlotted).filter((name) => plotted.has(name))).toEqual([]);
  });
});
