import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { ALERT_CASES } from './support/alert-cases';
import { infraPath, loadYaml, markdownAnchors, readText, repoPath } from './support/files';
import { checkExpression, metricsRead } from './support/series-check';
import { WARNING_SIGNS } from './support/warning-signs';

interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

interface RuleFile {
  readonly groups: ReadonlyArray<{ readonly name: string; readonly rules: readonly Rule[] }>;
}

const ALERTS_FILE = infraPath('prometheus/alerts.yml');
const rules = loadYaml<RuleFile>(ALERTS_FILE).groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule) => rule.alert !== undefined);
const recordingRules = new Map(
  rules.filter((rule) => rule.record).map((rule) => [rule.record as string, rule.expr]),
);
const recorded = new Set(recordingRules.keys());
const OPERATIONS_DOC = repoPath('docs/operations.md');

describe('Prometheus alert rules (infra/prometheus/alerts.yml)', () => {
  it('has alerts', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(WARNING_SIGNS.length);
  });

  it.each(alerts.map((rule) => [rule.alert as string, rule]))(
    '%s reads only series and labels the server exposes',
    (_name, rule) => {
      expect(checkExpression(rule.expr, { recorded })).toEqual([]);
    },
  );

  it.each([...recordingRules.entries()])('recording rule %s reads only known series', (_name, expression) => {
    expect(checkExpression(expression, { recorded })).toEqual([]);
  });

  it.each(alerts.map((rule) => [rule.alert as string, rule]))(
    '%s has a severity, a warning sign, a threshold and a runbook',
    (_name, rule) => {
      expect(['warning', 'critical']).toContain(rule.labels?.severity);
      expect(WARNING_SIGNS.map((sign) => sign.id)).toContain(rule.labels?.warning_sign);
      expect(rule.for).toMatch(/^\d+[smh]$/);
      expect(rule.annotations?.summary).toBeTruthy();
      expect(rule.annotations?.threshold).toMatch(/\d/);
      expect(rule.annotations?.runbook_url).toMatch(/^docs\/operations\.md#[a-z0-9-]+$/);
    },
  );

  it('links every alert to a runbook section that exists in docs/operations.md', () => {
    const anchors = markdownAnchors(readText(OPERATIONS_DOC));
    const missing = alerts
      .map((rule) => (rule.annotations?.runbook_url ?? '').split('#')[1] ?? '')
      .filter((anchor) => !anchors.has(anchor));
    expect(missing).toEqual([]);
  });

  it.each(WARNING_SIGNS.map((sign) => [sign.id, sign]))(
    'warning sign %s has alerts on each of its metrics',
    (_id, sign) => {
      const signAlerts = alerts.filter((rule) => rule.labels?.warning_sign === sign.id);
      expect(signAlerts.length).toBeGreaterThan(0);
      const read = new Set(signAlerts.flatMap((rule) => [...metricsRead(rule.expr, recordingRules)]));
      const unalerted = sign.metrics.filter((metric) => !read.has(metric));
      expect(unalerted).toEqual([]);
    },
  );

  it('has a runbook section per warning sign', () => {
    const anchors = markdownAnchors(readText(OPERATIONS_DOC));
    for (const sign of WARNING_SIGNS) expect(anchors).toContain(sign.id);
  });

  describe('the expression check fails on each mistake it is meant to catch', () => {
    it.each<[string, string, RegExp]>([
      [
        'a metric that does not exist',
        'rate(queue_jobs_lost_total[5m]) > 0',
        /unknown series queue_jobs_lost_total/,
      ],
      [
        'a histogram without its unit suffix',
        'histogram_quantile(0.99, sum by (le) (rate(ai_scale_queue_wait_duration_bucket[5m])))',
        /unknown series ai_scale_queue_wait_duration_bucket/,
      ],
      ['a counter without _total', 'rate(ai_scale_llm_cost_usd[1h])', /unknown series ai_scale_llm_cost_usd/],
      [
        'a label the metric does not carry',
        'max by (state) (ai_scale_queue_depth)',
        /label state is on none/,
      ],
      [
        'a matcher on a missing label',
        'ai_scale_queue_depth{queue="chat"}',
        /ai_scale_queue_depth has no label queue/,
      ],
    ])('%s', (_name, expression, expected) => {
      expect(checkExpression(expression, { recorded }).join('\n')).toMatch(expected);
    });
  });

  const promtool = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((file) => fs.existsSync(file));
  const withPromtool = promtool ? it : it.skip;
  const skipped = promtool ? '' : ' (skipped: promtool not installed; apt-get install prometheus)';

  withPromtool(`pass promtool check rules${skipped}`, () => {
    const output = execFileSync(promtool as string, ['check', 'rules', ALERTS_FILE], { encoding: 'utf8' });
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('has a synthetic-series case that makes each alert fire', () => {
    const covered = new Set(
      ALERT_CASES.filter((testCase) => testCase.firing.length > 0).map((testCase) => testCase.alert),
    );
    const uncovered = alerts.map((rule) => rule.alert as string).filter((alert) => !covered.has(alert));
    expect(uncovered).toEqual([]);
  });

  withPromtool(
    `fire, and stay silent, as specified on synthetic series: promtool test rules${skipped}`,
    () => {
      // Annotations are templates checked by `promtool check rules`; without them the expected
      // alerts are fully described by their labels.
      const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'ai-scale-alerts-'));
      try {
        const ruleFile = loadYaml<RuleFile>(ALERTS_FILE);
        const stripped = {
          groups: ruleFile.groups.map((group) => ({
            ...group,
            rules: group.rules.map((rule) => {
              const { annotations: _annotations, ...rest } = rule;
              return rest;
            }),
          })),
        };
        fs.writeFileSync(path.join(directory, 'rules.yml'), stringify(stripped));
        const tests = ALERT_CASES.map((testCase) => {
          const rule = alerts.find((candidate) => candidate.alert === testCase.alert);
          if (!rule) throw new Error(`case "${testCase.name}": no alert ${testCase.alert}`);
          return {
            interval: `${testCase.intervalMinutes ?? 1}m`,
            name: testCase.name,
            input_series: Object.entries(testCase.series).map(([series, values]) => ({ series, values })),
            alert_rule_test: [
              {
                eval_time: `${testCase.atMinute}m`,
                alertname: testCase.alert,
                exp_alerts: testCase.firing.map((labels) => ({ exp_labels: { ...rule.labels, ...labels } })),
              },
            ],
          };
        });
        // One file per sampling interval: promtool evaluates every rule at each evaluation_interval.
        const testFiles = [...new Set(ALERT_CASES.map((testCase) => testCase.intervalMinutes ?? 1))].map(
          (minutes) => {
            const file = path.join(directory, `rules-${minutes}m.test.yml`);
            const group = tests.filter(
              (_test, index) => (ALERT_CASES[index]?.intervalMinutes ?? 1) === minutes,
            );
            fs.writeFileSync(
              file,
              stringify({ rule_files: ['rules.yml'], evaluation_interval: `${minutes}m`, tests: group }),
            );
            return file;
          },
        );
        let output: string;
        try {
          output = execFileSync(promtool as string, ['test', 'rules', ...testFiles], {
            encoding: 'utf8',
            stdio: 'pipe',
          });
        } catch (error) {
          const failure = error as { stdout?: string; stderr?: string };
          throw new Error(`promtool test rules failed:\n${failure.stdout ?? ''}${failure.stderr ?? ''}`);
        }
        expect(output).toMatch(/SUCCESS/);
      } finally {
        fs.rmSync(directory, { recursive: true, force: true });
      }
    },
  );
});

describe('Prometheus configuration (infra/prometheus/prometheus.yml)', () => {
  interface Config {
    readonly rule_files: readonly string[];
    readonly scrape_configs: ReadonlyArray<{
      readonly job_name: string;
      readonly metrics_path?: string;
      readonly dns_sd_configs?: ReadonlyArray<{ readonly names: readonly string[]; readonly port: number }>;
    }>;
  }
  const config = loadYaml<Config>(infraPath('prometheus/prometheus.yml'));

  it('scrapes every api and worker replica on /metrics, under the job names the alerts use', () => {
    for (const job of ['api', 'worker']) {
      const scrape = config.scrape_configs.find((candidate) => candidate.job_name === job);
      expect(scrape?.metrics_path).toBe('/metrics');
      expect(scrape?.dns_sd_configs?.[0]?.names).toEqual([job]);
      expect(scrape?.dns_sd_configs?.[0]?.port).toBe(3000);
    }
    const jobsInAlerts = new Set(
      [...readText(ALERTS_FILE).matchAll(/job="([^"]+)"/g)].map((match) => match[1]),
    );
    const jobs = config.scrape_configs.map((scrape) => scrape.job_name);
    for (const job of jobsInAlerts) expect(jobs).toContain(job);
  });

  it('loads the alert rules from where docker-compose mounts them', () => {
    const compose = readText(infraPath('docker-compose.yml'));
    for (const file of config.rule_files) expect(compose).toContain(`./prometheus/alerts.yml:${file}`);
  });
});
