#!/usr/bin/env node
// Rewrites infra/prometheus/prometheus.yml for a test that runs Prometheus on loopback against
// processes it started itself (apps/server/test/prometheus-scrape.e2e.test.ts): the same jobs,
// metrics paths, alert rules and external labels, with static targets instead of DNS discovery,
// short intervals, the rule files at their paths in this repository, and scrape jobs whose targets
// the test does not run (the collector) left out.
//
//   node infra/prometheus/test-config.cjs '{"targets":{"api":["127.0.0.1:3001"],"worker":["127.0.0.1:3002"],
//     "prometheus":["127.0.0.1:9091"]},"interval":"1s"}'   → the YAML config on stdout
const fs = require('node:fs');
const path = require('node:path');
const { parse, stringify } = require('yaml');

const options = JSON.parse(process.argv[2] ?? '{}');
const targets = options.targets ?? {};
const interval = options.interval ?? '1s';
const config = parse(fs.readFileSync(path.join(__dirname, 'prometheus.yml'), 'utf8'));

config.global = { ...config.global, scrape_interval: interval, evaluation_interval: interval };
config.rule_files = (config.rule_files ?? []).map((file) => path.join(__dirname, path.basename(file)));
config.scrape_configs = (config.scrape_configs ?? [])
  .filter((job) => targets[job.job_name] !== undefined)
  .map((job) => {
    const { dns_sd_configs: _dns, static_configs: _static, ...rest } = job;
    return { ...rest, static_configs: [{ targets: targets[job.job_name] }] };
  });
const missing = Object.keys(targets).filter((job) => !config.scrape_configs.some((s) => s.job_name === job));
if (missing.length > 0) {
  process.stderr.write(`prometheus.yml has no scrape job ${missing.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(stringify(config));
