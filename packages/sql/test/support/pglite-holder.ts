// Opens a PGlite data directory through connect() and keeps it open until killed.
import { connect } from '../../src/index.ts';
import { pgliteTemplate } from '../../src/testing/index.ts';
import { PGliteClient } from '../../src/index.ts';

const [directory, mode] = process.argv.slice(2) as [string, string | undefined];
const db = mode === 'template' ? await PGliteClient.open({ directory, loadDataDir: await pgliteTemplate() }) : await connect(`pglite://${directory}`);
await db.query('CREATE TABLE IF NOT EXISTS notes (body text)');
await db.query("INSERT INTO notes VALUES ('from the holder')");
console.log('ready');
setInterval(() => undefined, 1_000);
