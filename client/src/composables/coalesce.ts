/**
 * Wraps an async job so that a burst of calls (e.g. every page of a sync pull) runs it at most once at a time,
 * with at most one more run queued behind it: calls while it runs ask for one run after it, however many.
 * Errors are the job's own business (it should catch them); a rejection only ends that run.
 */
export function coalesce(job: () => Promise<unknown>): () => void {
  let inFlight = false;
  let again = false;
  const schedule = () => {
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    void job()
      .catch(() => undefined)
      .finally(() => {
        inFlight = false;
        if (again) {
          again = false;
          schedule();
        }
      });
  };
  return schedule;
}
