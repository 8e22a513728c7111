import { MemoryQuotaStore } from '../../src/index.ts';
import type { Awaitable, CommitReceipt, Denial, QuotaSpec, QuotaStore, ReleaseReceipt, Reservation, Usage, UsageSnapshot } from '../../src/index.ts';

/** A memory store that records every call the enforcer makes, with the time it was given. */
export class RecordingStore implements QuotaStore {
  readonly calls: { readonly method: string; readonly now?: number }[] = [];
  readonly inner: MemoryQuotaStore;

  constructor(quotas: readonly QuotaSpec[]) {
    this.inner = new MemoryQuotaStore(quotas);
  }

  quota(scope: string): QuotaSpec | undefined {
    return this.inner.quota(scope);
  }
  reserve(scope: string, estimate: Usage, now: number): Awaitable<Reservation | Denial> {
    this.calls.push({ method: 'reserve', now });
    return this.inner.reserve(scope, estimate, now);
  }
  commit(scope: string, reservationId: string, actual: Usage, now: number): Awaitable<CommitReceipt> {
    this.calls.push({ method: 'commit', now });
    return this.inner.commit(scope, reservationId, actual, now);
  }
  release(scope: string, reservationId: string, now: number): Awaitable<ReleaseReceipt> {
    this.calls.push({ method: 'release', now });
    return this.inner.release(scope, reservationId, now);
  }
  usage(scope: string, now: number): Awaitable<UsageSnapshot> {
    return this.inner.usage(scope, now);
  }
  updateQuota(spec: QuotaSpec): void {
    this.inner.updateQuota(spec);
  }
}
