// Opens a PGlite data directory (from the test template) and keeps it open until killed.
import { PGliteClient } from '../../src/index.ts';
import { pgliteTemplate } from '../../src/testing/index.ts';

const [directory] = process.argv.slice(2) as [string];
const db = await PGliteClient.open({ directory, loadDataDir: await pgliteTemplate() });
await db.query('CREATE TABLE notes (body text)');
await db.query("INSERT INTO notes VALUES ('from the holder')");
console.log('ready');
setInterval(() => undefined, 1_000);
