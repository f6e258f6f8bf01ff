import {
  ATTR,
  METRIC,
  METRIC_CATALOG,
  metricDefinition,
  metricOptions,
  prometheusMetricName,
  prometheusSeries,
  prometheusUnitSuffix,
  SPAN,
} from './names';

describe('the telemetry catalogue', () => {
  it('derives METRIC from the catalogue, one entry per name', () => {
    const names = Object.values(METRIC_CATALOG).map((metric) => metric.name);
    expect(new Set(names).size).toBe(names.length);
    expect(METRIC.queueJobsFailed).toBe('ai_scale.queue.jobs.failed');
    expect(metricDefinition(METRIC.genAiClientTokenUsage)?.kind).toBe('histogram');
    expect(metricDefinition('no.such.metric')).toBeUndefined();
  });

  it('gives instruments their unit, description and bucket advice from the catalogue', () => {
    expect(metricOptions(METRIC.queueWaitDuration)).toEqual({
      unit: 's',
      description: METRIC_CATALOG.queueWaitDuration.description,
    });
    expect(metricOptions(METRIC.genAiClientTokenUsage).advice?.explicitBucketBoundaries[0]).toBe(1);
  });

  it('names Prometheus families with unit suffixes (OpenTelemetry Prometheus compatibility)', () => {
    expect(prometheusUnitSuffix('s', 'histogram')).toBe('seconds');
    expect(prometheusUnitSuffix('By', 'gauge')).toBe('bytes');
    expect(prometheusUnitSuffix('By/s', 'gauge')).toBe('bytes_per_second');
    expect(prometheusUnitSuffix('1', 'gauge')).toBe('ratio');
    expect(prometheusUnitSuffix('1', 'counter')).toBe('');
    expect(prometheusUnitSuffix('{token}', 'histogram')).toBe('');
    expect(prometheusUnitSuffix(undefined, 'counter')).toBe('');
    expect(prometheusMetricName('gen_ai.client.operation.duration', 's', 'histogram')).toBe(
      'gen_ai_client_operation_duration_seconds',
    );
    expect(prometheusMetricName('ai_scale.llm.cost', 'USD', 'counter')).toBe('ai_scale_llm_cost_usd_total');
    expect(prometheusMetricName('already.seconds', 's', 'gauge')).toBe('already_seconds');
    expect(prometheusMetricName('x.total', '{x}', 'counter')).toBe('x_total');
    expect(prometheusSeries(METRIC_CATALOG.httpServerRequestDuration)).toEqual([
      'http_server_request_duration_seconds_bucket',
      'http_server_request_duration_seconds_sum',
      'http_server_request_duration_seconds_count',
    ]);
  });

  it('follows the semantic conventions for span names and keeps custom attributes namespaced', () => {
    expect(SPAN.queueSend('ingest')).toBe('send ingest');
    expect(SPAN.queueProcess('ingest')).toBe('process ingest');
    expect(SPAN.agentRun('research')).toBe('invoke_agent research');
    expect(SPAN.executeTool('search')).toBe('execute_tool search');
    for (const key of Object.values(ATTR)) expect(key).toMatch(/^(ai_scale|gen_ai|messaging|http|error)\./);
  });
});
