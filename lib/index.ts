export * from './security-ir-case-watcher';
export * from './events';
export {
  HandlerEnvironment,
  METRIC_NAMESPACE,
  METRIC_SERVICE_DIMENSION,
  METRIC_SERVICE_ENV,
  MetricName,
} from './handler-environment';
