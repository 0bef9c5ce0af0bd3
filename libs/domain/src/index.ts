export * from './vocabulary.js';
export * from './errors.js';
export * from './entities.js';
export * from './normalize.js';
export * from './ports.js';
export * from './upstream/index.js';
export * from './settings.js';
export * from './stores.js';
