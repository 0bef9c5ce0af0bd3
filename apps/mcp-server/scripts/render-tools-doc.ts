// Writes docs/tools.md from the tool registry: `npx tsx apps/mcp-server/scripts/render-tools-doc.ts`
// (root script `npm run docs:tools`). src/docs.test.ts fails when the file is out of date.
import { TOOLS_DOC_PATH, writeToolsDoc } from '../src/docs.js';

writeToolsDoc();
process.stderr.write(`wrote ${TOOLS_DOC_PATH}\n`);
