export { createMirrorReader } from './mirror-reader.js';
export { createMirrorSearch } from './mirror-search.js';
