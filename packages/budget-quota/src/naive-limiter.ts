/**
 * WHAT NOT TO DO, kept to be measured against: a limiter that checks the spend, runs the
 * work, then records the spend ("check then act"). Concurrent callers all pass the check
 * before any of them records, so together they spend past the limit. `BudgetEnforcer`
 * closes that gap by holding the estimate in the same atomic step as the check.
 */
export class NaiveLimiter {
  private spentTokens = 0;

  /** `read` stands for the round trip to wherever the spend is kept; default: one microtask. */
  constructor(
    readonly limitTokens: number,
    private readonly read: () => Promise<void> = () => Promise.resolve(),
  ) {}

  /** Tokens recorded as spent so far. */
  get spent(): number {
    return this.spentTokens;
  }

  /** Runs `work` if the spend so far plus `estimate` is within the limit; `work` reports the tokens it used. */
  async guard<T>(estimate: number, work: () => Promise<{ value: T; actual: number }>): Promise<{ allowed: true; value: T } | { allowed: false }> {
    await this.read();
    if (this.spentTokens + estimate > this.limitTokens) return { allowed: false };
    // The flaw: nothing is held between the check above and the record below.
    const done = await work();
    this.spentTokens += done.actual;
    return { allowed: true, value: done.value };
  }
}
