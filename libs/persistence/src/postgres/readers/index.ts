export { createPgMirrorReader } from './mirror-reader.js';
