import { defineResource } from './define-resource.js';

export default defineResource({
  uri: 'testio://knowledge/programmatic-access',
  name: 'programmatic-access',
  title: 'Using the TestIO MCP REST API from code',
  description:
    "How to fetch the same data as the MCP tools over this deployment's REST API (endpoints, parameters, exports), for scripts and notebooks.",
  mimeType: 'text/markdown',
  read: ({ restBaseUrl }) => {
    const base = restBaseUrl ?? 'http://127.0.0.1:8081';
    return `# Programmatic access: the TestIO MCP REST API

The REST API serves the same operations and numbers as the MCP tools, as JSON over HTTP.

- Base URL of this deployment: **${base}**${restBaseUrl ? '' : ' (the default; this MCP server was not told where the REST API runs: set TESTIO_REST_HOST / TESTIO_REST_PORT)'}
- \`testio-mcp serve --transport http\` and \`npm start\` serve it on the MCP server's port (beside /mcp); \`testio-mcp api\` serves it alone.
- OpenAPI document: ${base}/openapi.json · Swagger UI: ${base}/docs · health: ${base}/health
- Authentication: when the server requires a key, send \`Authorization: Bearer <key>\` or \`X-API-Key: <key>\`.
- Errors: \`{ "error": { "code", "message", "reason", "hint", "fields", "request_id" } }\` with 400 (bad value), 404, 422 (schema), 429 (see Retry-After).

## Discover
\`\`\`bash
curl -s ${base}/openapi.json | jq -r '.paths | keys[]'
curl -s ${base}/api/analytics/capabilities | jq '.dimensions[].key, .metrics[].key'
\`\`\`

## The endpoints that matter for analysis
| MCP tool | REST |
|---|---|
| list_products | \`GET /api/products\` |
| list_tests | \`GET /api/products/{id}/tests?statuses=archived,locked\` |
| list_bugs | \`GET /api/bugs?test_ids=1,2&status=rejected\` |
| generate_quality_report | \`GET /api/quality-report?product_ids=598,599&start_date=last%20quarter\` (adds \`test_data\`: every test) |
| query_metrics | \`POST /api/analytics/query\` with a JSON body |
| get_analytics_capabilities | \`GET /api/analytics/capabilities\` |
| thresholds | \`GET /api/thresholds\` |

\`\`\`bash
curl -s -X POST ${base}/api/analytics/query -H 'Content-Type: application/json' \\
  -d '{"dimensions":["month"],"metrics":["bug_count","rejection_rate"],"filters":{"product_ids":[598]},"start_date":"12 months ago"}'
\`\`\`

## A script that saves data next to itself (Python)
\`\`\`python
import csv, json, pathlib, urllib.request

BASE = "${base}"
OUT = pathlib.Path(__file__).parent / "data"
OUT.mkdir(exist_ok=True)

def post(path, body):
    req = urllib.request.Request(BASE + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))

rows = post("/api/analytics/query", {"dimensions": ["month"], "metrics": ["test_count", "bug_count", "rejection_rate"]})["data"]
(OUT / "monthly.json").write_text(json.dumps(rows, indent=2))
with open(OUT / "monthly.csv", "w", newline="") as f:
    writer = csv.DictWriter(f, fieldnames=rows[0].keys())
    writer.writeheader()
    writer.writerows(rows)
\`\`\`

## Gotchas
- Analytics need at least one dimension and one metric; unknown names come back as a 400 listing the valid ones.
- Rates are fractions 0-1 and null when there are no bugs (not 0).
- Dates filter on the test end date; \`start_date\` is inclusive from the start of the day, \`end_date\` to its end (UTC).
- Lists accept repeated parameters or comma lists (\`?statuses=archived&statuses=locked\` or \`?statuses=archived,locked\`).
- The quality report's \`output_file\` writes only inside the server's export directory (TESTIO_EXPORT_DIR). \`GET /api/quality-report?format=html\` answers the report as one self-contained HTML page with its charts.
`;
  },
});
