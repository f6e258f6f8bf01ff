/**
 * Behaviour of the alert rules on synthetic series, run by `promtool test rules` (see
 * prometheus.test.ts). Each case gives input series (one sample per minute, promtool's expanding
 * notation `start+step x count`), the minute to evaluate at, and the alerts expected to FIRE then
 * (labels beyond the rule's own severity and warning_sign); `[]` means the rule must stay silent.
 */
export interface AlertCase {
  readonly name: string;
  readonly series: Readonly<Record<string, string>>;
  readonly alert: string;
  readonly atMinute: number;
  readonly firing: ReadonlyArray<Readonly<Record<string, string>>>;
  /** Minutes between samples (default 1); day-long cases use 10 to keep promtool fast. */
  readonly intervalMinutes?: number;
}

const API = 'job="api", instance="api-1"';
const histogram = (
  name: string,
  labels: string,
  buckets: Readonly<Record<string, string>>,
): Record<string, string> =>
  Object.fromEntries(
    Object.entries(buckets).map(([le, values]) => [`${name}_bucket{${labels}, le="${le}"}`, values]),
  );

// Every request between 1 s and 2.5 s: p99 ≈ 2.49 s.
const slowRequests = { '1': '0+0x40', '2.5': '0+100x40', '+Inf': '0+100x40' };

export const ALERT_CASES: readonly AlertCase[] = [
  {
    name: 'slow API requests fire ApiLatencyP99High',
    series: histogram(
      'http_server_request_duration_seconds',
      `${API}, http_route="/v1/search"`,
      slowRequests,
    ),
    alert: 'ApiLatencyP99High',
    atMinute: 20,
    firing: [{}],
  },
  {
    name: 'p99 of 2.49 s stays under the critical 2.5 s',
    series: histogram(
      'http_server_request_duration_seconds',
      `${API}, http_route="/v1/search"`,
      slowRequests,
    ),
    alert: 'ApiLatencyP99Critical',
    atMinute: 20,
    firing: [],
  },
  {
    name: 'requests of 2.5-5 s fire ApiLatencyP99Critical',
    series: histogram('http_server_request_duration_seconds', `${API}, http_route="/v1/documents"`, {
      '2.5': '0+0x40',
      '5': '0+100x40',
      '+Inf': '0+100x40',
    }),
    alert: 'ApiLatencyP99Critical',
    atMinute: 20,
    firing: [{}],
  },
  {
    name: 'a slow long-poll route does not fire ApiLatencyP99High',
    series: histogram(
      'http_server_request_duration_seconds',
      `${API}, http_route="/v1/jobs/:id/wait"`,
      slowRequests,
    ),
    alert: 'ApiLatencyP99High',
    atMinute: 20,
    firing: [],
  },
  {
    name: 'sync chats waiting for their deadline do not fire ApiLatencyP99High',
    series: histogram('http_server_request_duration_seconds', `${API}, http_route="/v1/chat"`, slowRequests),
    alert: 'ApiLatencyP99High',
    atMinute: 20,
    firing: [],
  },
  {
    name: 'chats of 10-25 s fire ChatLatencyP95High',
    series: histogram('http_server_request_duration_seconds', `${API}, http_route="/v1/chat"`, {
      '10': '0+0x40',
      '30': '0+20x40',
      '+Inf': '0+20x40',
    }),
    alert: 'ChatLatencyP95High',
    atMinute: 20,
    firing: [{}],
  },
  {
    name: 'the route-less copy of the metric (instrumentation-http) does not fire ApiLatencyP99High',
    series: histogram('http_server_request_duration_seconds', API, slowRequests),
    alert: 'ApiLatencyP99High',
    atMinute: 20,
    firing: [],
  },
  {
    name: 'a slow probe does not fire ApiLatencyP99High',
    series: histogram(
      'http_server_request_duration_seconds',
      `${API}, http_route="/health/ready"`,
      slowRequests,
    ),
    alert: 'ApiLatencyP99High',
    atMinute: 20,
    firing: [],
  },
  {
    name: 'a provider answering in 20-30 s fires LlmLatencyP95High',
    series: histogram(
      'gen_ai_client_operation_duration_seconds',
      'gen_ai_provider_name="openai", gen_ai_request_model="gpt-4o-mini"',
      {
        '10': '0+0x30',
        '30': '0+5x30',
        '+Inf': '0+5x30',
      },
    ),
    alert: 'LlmLatencyP95High',
    atMinute: 20,
    firing: [{ gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o-mini' }],
  },
  {
    name: '10% of gateway calls failing fire LlmErrorRatioHigh (failures carry no provider)',
    series: {
      'gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name="openai", gen_ai_request_model="gpt-4o-mini"}':
        '0+9x30',
      'gen_ai_client_operation_duration_seconds_count{error_type="PROVIDER_RATE_LIMITED"}': '0+1x30',
    },
    alert: 'LlmErrorRatioHigh',
    atMinute: 25,
    firing: [{}],
  },
  {
    name: '2% of gateway calls failing keep LlmErrorRatioHigh silent',
    series: {
      'gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name="openai", gen_ai_request_model="gpt-4o-mini"}':
        '0+49x30',
      'gen_ai_client_operation_duration_seconds_count{error_type="PROVIDER_RATE_LIMITED"}': '0+1x30',
    },
    alert: 'LlmErrorRatioHigh',
    atMinute: 25,
    firing: [],
  },
  {
    name: 'an API target down for 5 min fires ApiTargetDown',
    series: { [`up{${API}}`]: '1 1 0 0 0 0 0 0' },
    alert: 'ApiTargetDown',
    atMinute: 6,
    firing: [{ job: 'api', instance: 'api-1' }],
  },
  {
    name: 'a queue growing past 100 fires QueueBacklogGrowing, once per queue whatever the number of reporters',
    series: {
      'ai_scale_queue_depth{messaging_destination_name="chat", ai_scale_job_state="queued", job="worker", instance="w1"}':
        '0+10x60',
      'ai_scale_queue_depth{messaging_destination_name="chat", ai_scale_job_state="queued", job="api", instance="a1"}':
        '0+10x60',
    },
    alert: 'QueueBacklogGrowing',
    atMinute: 40,
    firing: [{ messaging_destination_name: 'chat' }],
  },
  {
    name: 'a large but steady backlog does not fire QueueBacklogGrowing',
    series: {
      'ai_scale_queue_depth{messaging_destination_name="chat", ai_scale_job_state="queued"}': '500+0x60',
    },
    alert: 'QueueBacklogGrowing',
    atMinute: 40,
    firing: [],
  },
  {
    name: 'jobs waiting 30-60 s fire QueueWaitP95High',
    series: histogram('ai_scale_queue_wait_duration_seconds', 'messaging_destination_name="chat"', {
      '30': '0+0x30',
      '60': '0+10x30',
      '+Inf': '0+10x30',
    }),
    alert: 'QueueWaitP95High',
    atMinute: 20,
    firing: [{ messaging_destination_name: 'chat' }],
  },
  {
    name: 'jobs waiting 1-2 min fire QueueWaitP95Critical',
    series: histogram('ai_scale_queue_wait_duration_seconds', 'messaging_destination_name="chat"', {
      '60': '0+0x30',
      '120': '0+10x30',
      '+Inf': '0+10x30',
    }),
    alert: 'QueueWaitP95Critical',
    atMinute: 20,
    firing: [{ messaging_destination_name: 'chat' }],
  },
  {
    name: '10% failed attempts fire JobFailureRatioHigh',
    series: {
      'ai_scale_queue_jobs_completed_total{messaging_destination_name="ingestion"}': '0+90x30',
      'ai_scale_queue_jobs_failed_total{messaging_destination_name="ingestion"}': '0+10x30',
    },
    alert: 'JobFailureRatioHigh',
    atMinute: 25,
    firing: [{ messaging_destination_name: 'ingestion' }],
  },
  {
    name: 'retries fire JobRetryRatioHigh even before any failure series exists',
    series: {
      'ai_scale_queue_jobs_completed_total{messaging_destination_name="ingestion"}': '0+10x40',
      'ai_scale_queue_jobs_retried_total{messaging_destination_name="ingestion"}': '0+3x40',
    },
    alert: 'JobRetryRatioHigh',
    atMinute: 35,
    firing: [{ messaging_destination_name: 'ingestion' }],
  },
  {
    name: 'one dead-lettered job fires JobsDeadLettered',
    series: { 'ai_scale_queue_jobs_dead_lettered_total{messaging_destination_name="chat"}': '0 0 0 1 1 1 1' },
    alert: 'JobsDeadLettered',
    atMinute: 5,
    firing: [{ messaging_destination_name: 'chat' }],
  },
  {
    name: 'a worker that stops beating fires WorkerHeartbeatStale for that worker only',
    series: {
      'ai_scale_worker_heartbeat_total{messaging_destination_name="chat", instance="w1"}': '0+4x10 40+0x10',
      'ai_scale_worker_heartbeat_total{messaging_destination_name="chat", instance="w2"}': '0+4x20',
    },
    alert: 'WorkerHeartbeatStale',
    atMinute: 15,
    firing: [{ instance: 'w1' }],
  },
  {
    name: 'no heartbeat series at all fires WorkerHeartbeatAbsent',
    series: { [`up{${API}}`]: '1+0x10' },
    alert: 'WorkerHeartbeatAbsent',
    atMinute: 8,
    firing: [{}],
  },
  {
    name: 'beating workers keep WorkerHeartbeatAbsent silent',
    series: { 'ai_scale_worker_heartbeat_total{messaging_destination_name="chat", instance="w1"}': '0+4x10' },
    alert: 'WorkerHeartbeatAbsent',
    atMinute: 8,
    firing: [],
  },
  {
    name: 'a worker target down for 5 min fires WorkerTargetDown',
    series: {
      'up{job="worker", instance="w1"}': '1 0 0 0 0 0 0 0',
      'up{job="worker", instance="w2"}': '1+0x8',
    },
    alert: 'WorkerTargetDown',
    atMinute: 6,
    firing: [{ job: 'worker', instance: 'w1' }],
  },
  {
    name: 'searches taking 0.5-1 s fire VectorSearchP99High',
    series: histogram(
      'ai_scale_retrieval_search_duration_seconds',
      'ai_scale_search_mode="hybrid", ai_scale_vector_store="lancedb"',
      {
        '0.5': '0+0x30',
        '1': '0+10x30',
        '+Inf': '0+10x30',
      },
    ),
    alert: 'VectorSearchP99High',
    atMinute: 20,
    firing: [{ ai_scale_search_mode: 'hybrid', ai_scale_vector_store: 'lancedb' }],
  },
  {
    name: '30% empty results fire EmptyResultsRatioHigh',
    series: {
      'ai_scale_retrieval_results_empty_total{ai_scale_search_mode="vector", ai_scale_vector_store="lancedb"}':
        '0+3x80',
      'ai_scale_retrieval_search_duration_seconds_count{ai_scale_search_mode="vector", ai_scale_vector_store="lancedb"}':
        '0+10x80',
    },
    alert: 'EmptyResultsRatioHigh',
    atMinute: 70,
    firing: [{ ai_scale_search_mode: 'vector' }],
  },
  {
    name: 'spending 72 USD/day against a 50 USD budget fires LlmSpendOverBudget',
    series: { 'ai_scale_llm_cost_usd_total{gen_ai_request_model="gpt-4o-mini"}': '0+0.05x120' },
    alert: 'LlmSpendOverBudget',
    atMinute: 90,
    firing: [{}],
  },
  {
    name: '72 USD/day is not a fast burn (4x budget = 200 USD/day)',
    series: { 'ai_scale_llm_cost_usd_total{gen_ai_request_model="gpt-4o-mini"}': '0+0.05x120' },
    alert: 'LlmSpendFastBurn',
    atMinute: 90,
    firing: [],
  },
  {
    name: 'spending 288 USD/day fires LlmSpendFastBurn',
    series: { 'ai_scale_llm_cost_usd_total{gen_ai_request_model="gpt-4o-mini"}': '0+0.2x60' },
    alert: 'LlmSpendFastBurn',
    atMinute: 20,
    firing: [{}],
  },
  {
    name: 'three times the tokens of the same hour yesterday fire LlmTokenSurge',
    series: {
      'gen_ai_client_token_usage_sum{gen_ai_request_model="gpt-4o-mini", gen_ai_token_type="input"}':
        '0+6000x144 882000+18000x12',
    },
    intervalMinutes: 10,
    alert: 'LlmTokenSurge',
    atMinute: 1540,
    firing: [{ gen_ai_request_model: 'gpt-4o-mini' }],
  },
  {
    name: 'an open breaker fires LlmBreakerOpen',
    series: {
      'ai_scale_llm_breaker_state{gen_ai_provider_name="openai"}': '0 0 2 2 2 2 2',
      'ai_scale_llm_breaker_state{gen_ai_provider_name="anthropic"}': '0 1 1 1 1 1 1',
      'ai_scale_llm_breaker_state{gen_ai_provider_name="ollama"}': '0 3 3 3 3 3 3',
    },
    alert: 'LlmBreakerOpen',
    atMinute: 5,
    firing: [{ gen_ai_provider_name: 'openai' }, { gen_ai_provider_name: 'ollama' }],
  },
  {
    name: '20% fallbacks fire LlmFallbackRatioHigh',
    series: {
      'ai_scale_llm_fallbacks_total{gen_ai_provider_name="openai"}': '0+2x40',
      'gen_ai_client_operation_duration_seconds_count{gen_ai_provider_name="openai"}': '0+10x40',
    },
    alert: 'LlmFallbackRatioHigh',
    atMinute: 30,
    firing: [{}],
  },
  {
    name: 'a cache hit rate falling from 80% to 20% fires CacheHitRateDropped',
    series: {
      'ai_scale_cache_hits_total{ai_scale_cache_kind="exact"}': '0+80x144 11540+20x12',
      ai_scale_cache_misses_total: '0+20x144 2960+80x12',
    },
    intervalMinutes: 10,
    alert: 'CacheHitRateDropped',
    atMinute: 1540,
    firing: [{ ai_scale_cache_kind: 'exact' }],
  },
  {
    name: 'a steady cache hit rate keeps CacheHitRateDropped silent',
    series: {
      'ai_scale_cache_hits_total{ai_scale_cache_kind="semantic"}': '0+80x156',
      'ai_scale_cache_misses_total{ai_scale_cache_kind="semantic"}': '0+20x156',
    },
    intervalMinutes: 10,
    alert: 'CacheHitRateDropped',
    atMinute: 1540,
    firing: [],
  },
  {
    name: '10% of runs looping fire AgentLoopsDetected',
    series: {
      'ai_scale_agent_run_loops_detected_total{gen_ai_agent_name="research", ai_scale_agent_stop_kind="loop_detected"}':
        '0+1x70',
      'ai_scale_agent_runs_total{gen_ai_agent_name="research", ai_scale_agent_outcome="completed"}': '0+9x70',
      'ai_scale_agent_runs_total{gen_ai_agent_name="research", ai_scale_agent_outcome="loop_detected"}':
        '0+1x70',
    },
    alert: 'AgentLoopsDetected',
    atMinute: 60,
    firing: [{ gen_ai_agent_name: 'research' }],
  },
  {
    name: 'runs of 6-8 steps fire AgentStepsP95High',
    series: histogram('ai_scale_agent_run_steps', 'gen_ai_agent_name="research"', {
      '5': '0+0x80',
      '8': '0+10x80',
      '+Inf': '0+10x80',
    }),
    alert: 'AgentStepsP95High',
    atMinute: 70,
    firing: [{ gen_ai_agent_name: 'research' }],
  },
];
