// Child process of migrator.test.ts: migrates one database and reports what it applied on stdout.
import { migrate } from '../migrator.js';
import { openSqlite } from '../sqlite.js';

const [path, migrationsDir, startAt] = process.argv.slice(2);
if (!path || !migrationsDir) throw new Error('usage: migrate-child <db> <migrationsDir> [startAtEpochMs]');
// Start together with the sibling processes, so they really race for the first migration.
const start = Number(startAt ?? 0);
while (Date.now() < start) {
  // spin
}
const db = openSqlite(path);
const result = migrate(db, { migrationsDir });
db.close();
process.stdout.write(`${JSON.stringify(result.applied)}\n`);
