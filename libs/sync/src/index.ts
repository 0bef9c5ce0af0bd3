export * from './refresh-policy.js';
