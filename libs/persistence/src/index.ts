export * from './fts-query.js';
