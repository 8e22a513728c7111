// A vitest global setup: one throwaway PostgreSQL server for a whole test run of a package,
// stopped and removed when the run ends. Tests read its URL with `inject('postgresUrl')` and
// give each suite its own database with `createTestDatabase`.
import type { TestProject } from 'vitest/node';
import { startPostgresServer } from './postgres-server.ts';
import './provided.ts';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgresServer();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
