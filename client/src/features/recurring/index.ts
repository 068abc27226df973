/** Posting due occurrences (idempotent) and the schedule builder, for other screens and the shell. */
export { postDueRecurring, upcomingFor } from './recurring-data.ts';
export { useRecurringAutoPost } from './use-recurring-auto-post.ts';
export { describeSchedule, fromRrule, toRrule } from './schedule.ts';
