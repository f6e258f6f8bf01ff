import { METRIC } from '@ai-scale/telemetry';
import { clone, infraPath, loadJson, loadYaml, type Json } from './support/files';
import { checkExpression, metricsRead } from './support/series-check';
import { WARNING_SIGNS } from './support/warning-signs';

interface Target {
  readonly expr?: string;
  readonly refId: string;
  readonly datasource?: { readonly uid: string };
}
interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: {
    readonly list: ReadonlyArray<{ readonly name: string; readonly query: { readonly query: string } }>;
  };
}

const dashboard = loadJson<Dashboard>(infraPath('grafana/dashboards/ai-scale.json'));
const datasources = loadYaml<{ datasources: ReadonlyArray<{ uid: string; type: string }> }>(
  infraPath('grafana/provisioning/datasources/datasources.yml'),
).datasources;

const recordingRules = new Map(
  loadYaml<{ groups: ReadonlyArray<{ rules: ReadonlyArray<{ record?: string; expr: string }> }> }>(
    infraPath('prometheus/alerts.yml'),
  )
    .groups.flatMap((group) => group.rules)
    .filter((rule) => rule.record !== undefined)
    .map((rule) => [rule.record as string, rule.expr]),
);
const recorded = new Set(recordingRules.keys());

/** Problems of a dashboard: unknown datasources, unknown series or labels, overlapping panels, duplicate ids. */
function dashboardProblems(board: Dashboard): string[] {
  const problems: string[] = [];
  const uids = new Set(datasources.map((source) => source.uid));
  const ids = new Set<number>();
  const cells = new Map<string, string>();
  for (const panel of board.panels) {
    if (ids.has(panel.id)) problems.push(`duplicate panel id ${panel.id}`);
    ids.add(panel.id);
    const { x, y, w, h } = panel.gridPos;
    if (x < 0 || w <= 0 || x + w > 24 || h <= 0)
      problems.push(`${panel.title}: gridPos outside the 24-column grid`);
    for (let column = x; column < x + w; column++) {
      for (let row = y; row < y + h; row++) {
        const other = cells.get(`${column}:${row}`);
        if (other !== undefined) problems.push(`${panel.title} overlaps ${other}`);
        cells.set(`${column}:${row}`, panel.title);
      }
    }
    if (panel.type === 'row') continue;
    if (!panel.datasource || !uids.has(panel.datasource.uid))
      problems.push(`${panel.title}: unknown datasource`);
    if (!panel.targets || panel.targets.length === 0) problems.push(`${panel.title}: no query`);
    for (const target of panel.targets ?? []) {
      if (target.datasource && !uids.has(target.datasource.uid))
        problems.push(`${panel.title}: unknown datasource`);
      for (const problem of checkExpression(target.expr ?? '', { recorded }))
        problems.push(`${panel.title} ${target.refId}: ${problem}`);
    }
  }
  return [...new Set(problems)];
}

const panelsReading = (board: Dashboard): Map<string, string[]> => {
  const reading = new Map<string, string[]>();
  for (const panel of board.panels) {
    for (const target of panel.targets ?? []) {
      for (const metric of metricsRead(target.expr ?? '', recordingRules)) {
        reading.set(metric, [...(reading.get(metric) ?? []), panel.title]);
      }
    }
  }
  return reading;
};

describe('Grafana dashboard (infra/grafana/dashboards/ai-scale.json)', () => {
  it('is provisioned with the datasources it uses', () => {
    expect(datasources.map((source) => source.uid).sort()).toEqual(['jaeger', 'prometheus']);
    const provider = loadYaml<{ providers: ReadonlyArray<{ options: { path: string } }> }>(
      infraPath('grafana/provisioning/dashboards/dashboards.yml'),
    );
    expect(provider.providers[0]?.options.path).toBe('/var/lib/grafana/dashboards');
  });

  it('queries only series and labels the server exposes, in a valid layout', () => {
    expect(dashboardProblems(dashboard)).toEqual([]);
  });

  it.each(WARNING_SIGNS.map((sign) => [sign.id, sign]))(
    'shows every metric of warning sign %s',
    (_id, sign) => {
      const reading = panelsReading(dashboard);
      expect(sign.metrics.filter((metric) => !reading.has(metric))).toEqual([]);
    },
  );

  it('shows response time and queue wait as p50, p95 and p99', () => {
    const expressions = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => target.expr ?? ''),
    );
    for (const histogram of [
      'http_server_request_duration_seconds',
      'gen_ai_client_operation_duration_seconds',
      'ai_scale_queue_wait_duration_seconds',
      'ai_scale_retrieval_search_duration_seconds',
    ]) {
      for (const quantile of ['0.5', '0.95', '0.99']) {
        expect(
          expressions.some(
            (expr) =>
              expr.includes(`histogram_quantile(${quantile},`) && expr.includes(`${histogram}_bucket`),
          ),
        ).toBe(true);
      }
    }
  });

  describe('the check fails on each mistake it is meant to catch', () => {
    const mutateFirstQuery = (change: (target: Json, panel: Json) => void): Dashboard => {
      const copy = clone(dashboard) as unknown as { panels: Json[] };
      const panel = copy.panels.find((candidate) => candidate.type !== 'row') as Json;
      change((panel.targets as Json[])[0] as Json, panel);
      return copy as unknown as Dashboard;
    };

    it('a series without its unit suffix', () => {
      const board = mutateFirstQuery((target) => {
        target.expr = String(target.expr).replace(
          /http_server_request_duration_seconds_bucket/g,
          'http_server_request_duration_bucket',
        );
      });
      expect(dashboardProblems(board).join('\n')).toMatch(
        /unknown series http_server_request_duration_bucket/,
      );
    });

    it('a datasource that is not provisioned', () => {
      const board = mutateFirstQuery((_target, panel) => {
        panel.datasource = { type: 'prometheus', uid: 'mimir' };
      });
      expect(dashboardProblems(board).join('\n')).toMatch(/unknown datasource/);
    });

    it('a warning sign metric missing from every panel', () => {
      const copy = clone(dashboard) as unknown as { panels: Json[] };
      copy.panels = copy.panels.filter(
        (panel) => !JSON.stringify(panel.targets ?? []).includes('ai_scale_worker_heartbeat_total'),
      );
      expect(panelsReading(copy as unknown as Dashboard).has(METRIC.workerHeartbeat)).toBe(false);
    });

    it('two panels on the same cell', () => {
      const copy = clone(dashboard) as unknown as { panels: Json[] };
      const [first, second] = copy.panels.filter((panel) => panel.type !== 'row') as [Json, Json];
      second.gridPos = { ...(first.gridPos as Json) };
      expect(dashboardProblems(copy as unknown as Dashboard).join('\n')).toMatch(/overlaps/);
    });
  });
});
