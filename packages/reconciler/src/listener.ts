/**
 * Calls a listener so that nothing it does reaches the caller: a throw, or a promise it
 * returns that rejects, goes to `report` instead, and an error from `report` is dropped.
 * The loop and the breaker call their listeners from workers and timers, where an escaping
 * error would stop a worker or end the process.
 */
export function callListener(listen: () => unknown, report: (error: unknown) => void): void {
  try {
    const returned = listen();
    if (returned instanceof Promise) returned.catch((error: unknown) => reportSafely(report, error));
  } catch (error) {
    reportSafely(report, error);
  }
}

function reportSafely(report: (error: unknown) => void, error: unknown): void {
  try {
    report(error);
  } catch {
    // nobody is left to tell
  }
}
