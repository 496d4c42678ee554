export * from './security-ir-case-watcher';
export * from './events';
export * from './metrics';
