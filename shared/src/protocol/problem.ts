import { z } from 'zod';

/**
 * RFC 9457 problem details, as every error answer of the server is written (docs/architecture.md,
 * "Errors"). `type` is a URL under PROBLEM_TYPE_BASE whose last segment names the kind of problem.
 */
export const PROBLEM_TYPE_BASE = 'https://mymidas.app/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export const fieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(400).max(599),
  detail: z.string().optional(),
  errors: z.array(fieldErrorSchema).optional(),
});
export type Problem = z.infer<typeof problemSchema>;

export function problemType(kind: string): string {
  return PROBLEM_TYPE_BASE + kind;
}

/** The kind of a problem ("rate-limited") from its type URL, or null when it is not ours. */
export function problemKind(type: string): string | null {
  return type.split('/').filter(Boolean).at(-1) ?? null;
}

/** A problem body from any JSON value, or null when it is not one. */
export function readProblem(body: unknown): Problem | null {
  const parsed = problemSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** Seconds of a Retry-After header (delta-seconds or an HTTP date) as milliseconds, or null. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const text = header.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}
