export * from './memory-stores.js';
export * from './capture-logger.js';
