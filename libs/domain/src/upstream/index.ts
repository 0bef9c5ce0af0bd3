export * from './common.js';
export * from './product.js';
export * from './feature.js';
export * from './exploratory-test.js';
export * from './bug.js';
