export * from './security-ir-case-watcher';
export * from './security-ir-case-watcher-props';
export * from './case-event-rule-options';
export * from './security-ir-event-forwarder';
export * from './events';
export * from './metrics';
export * from './security-ir-case-notifications';
