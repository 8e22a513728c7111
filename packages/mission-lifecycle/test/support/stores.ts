// Opens the store a child process is told to use: a directory for the local store, a
// postgres:// URL for the SQL store.
import { LocalMissionStore } from '../../src/index.ts';
import type { MissionStore } from '../../src/index.ts';

export async function openStore(target: string): Promise<MissionStore & { close(): Promise<void> }> {
  if (target.startsWith('postgres://') || target.startsWith('postgresql://')) {
    const { connect } = await import('@12-factor-agentops/sql');
    const { SqlMissionStore } = await import('../../src/index.ts');
    const db = await connect(target);
    const store = await SqlMissionStore.open(db);
    return Object.assign(store, { close: async () => db.close() });
  }
  return LocalMissionStore.open(target);
}
