export { METRIC, SPAN, ATTR, type MetricName } from './names';
export { injectTraceContext, extractTraceContext, withTraceContext, type TraceCarrier } from './propagation';
