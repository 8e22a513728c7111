import './provided.ts';
export { PostgresServerFailed, startPostgresServer } from './postgres-server.ts';
export type { PostgresServer, PostgresServerOptions } from './postgres-server.ts';
export { createTestDatabase } from './test-database.ts';
export type { TestDatabase } from './test-database.ts';
export { openTestPGlite, pgliteTemplate, pgliteTemplatePath } from './pglite-template.ts';
export { startScript } from './child-process.ts';
export type { ScriptProcess } from './child-process.ts';
