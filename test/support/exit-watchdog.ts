/**
 * For a test file's `after`, before it stops what the file started: if the process is still alive
 * `graceMs` later, says on stderr what keeps it alive and ends it, instead of leaving the runner to wait
 * out its 10-minute file timeout.
 * - The stop never finished (`stopped()` false), or a child process is still open (a hub that outlived
 *   its stop: what once kept this file alive): a real failure, exit status 1, with `describe()`.
 * - The stop finished and only a handle of the test's own clients is left (a socket or timer of a
 *   client library): the process exits with the outcome its tests already have; the note stays in the log.
 * The timer is unref'd: a process with nothing left to do exits without it firing.
 */
export function exitIfStillAlive(label: string, graceMs: number, o: { stopped: () => boolean; describe: () => string }): void {
  const timer = setTimeout(() => {
    const resources = process.getActiveResourcesInfo().filter((r) => r !== "Timeout");
    const counts = new Map<string, number>();
    for (const r of resources) counts.set(r, (counts.get(r) ?? 0) + 1);
    const held = [...counts].map(([r, n]) => `${r} ×${n}`).join(", ") || "nothing but timers";
    const stopped = o.stopped();
    const children = counts.get("ProcessWrap") ?? 0;
    const state = !stopped ? "its stop did not finish" : children > 0 ? "a child process outlived its stop" : "everything it started is stopped";
    process.stderr.write(`${label}: still alive ${graceMs} ms after its tests ended (${state}); open: ${held}; ${o.describe()}\n`);
    if (stopped && children === 0) process.exit();
    process.exit(1);
  }, graceMs);
  timer.unref();
}
