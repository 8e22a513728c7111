// A level-triggered watcher: it never relies on seeing every notification. Each look lists what
// changed after the last revision it handled, so missed notifications cost nothing but time.
import type { Blackboard } from './board.ts';
import { checkRevision } from './checks.ts';
import type { Change } from './model.ts';

export class BoardWatcher {
  readonly #board: Blackboard;
  #revision: number;

  /** Watches `board` from `fromRevision` (0: everything). */
  constructor(board: Blackboard, fromRevision = 0) {
    this.#board = board;
    this.#revision = checkRevision(fromRevision);
  }

  /** The last board revision this watcher handled in full. */
  get revision(): number {
    return this.#revision;
  }

  /**
   * Lists every change after the last handled revision, page by page, and hands each page to
   * `onChanges`. The revision moves only after `onChanges` returns, so a handler that throws sees
   * the same changes again on the next call. Returns how many changes were handled.
   */
  async catchUp(onChanges: (changes: readonly Change[]) => Promise<void> | void, pageSize = 500): Promise<number> {
    let handled = 0;
    for (;;) {
      const page = await this.#board.changesSince(this.#revision, pageSize);
      if (page.changes.length === 0) return handled;
      // A page holds whole revisions, so moving to its last one skips nothing.
      await onChanges(page.changes);
      handled += page.changes.length;
      this.#revision = page.revision;
      if (page.changes.length < pageSize) return handled;
    }
  }
}
