// Writes the MCP Apps' HTML (src/apps/dashboard/dashboard-html.generated.ts) from their TypeScript and CSS:
// `npx tsx apps/mcp-server/scripts/build-apps.ts` (root script `npm run build:apps`).
// src/apps/apps.test.ts fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { buildDashboardModule, DASHBOARD_HTML_PATH } from './dashboard-html.js';

writeFileSync(DASHBOARD_HTML_PATH, await buildDashboardModule());
process.stderr.write(`wrote ${DASHBOARD_HTML_PATH}\n`);
