import type { Request } from 'express';

/**
 * /api/v1/health is built from named sections, so each area adds its own without editing the others:
 * `registerHealthSection('feeds', (req) => ({ degraded: true, ... }))`. A section that reports
 * `degraded: true` (or `status: "degraded"`) makes the overall status "degraded" (still HTTP 200: the process is alive); one that
 * throws is shown as { error } and degrades the status too.
 */
export type HealthSection = (req: Request) => Promise<Record<string, unknown>> | Record<string, unknown>;

const sections = new Map<string, HealthSection>();

export function registerHealthSection(name: string, section: HealthSection): () => void {
  sections.set(name, section);
  return () => {
    if (sections.get(name) === section) sections.delete(name);
  };
}

export async function collectSections(req: Request, local: Readonly<Record<string, HealthSection>> = {}): Promise<{ degraded: boolean; sections: Record<string, unknown> }> {
  const all = new Map<string, HealthSection>([...sections, ...Object.entries(local)]);
  const out: Record<string, unknown> = {};
  let degraded = false;
  await Promise.all(
    [...all].map(async ([name, section]) => {
      try {
        const value = await section(req);
        out[name] = value;
        if (value.degraded === true || value.status === 'degraded') degraded = true;
      } catch (err) {
        out[name] = { degraded: true, error: err instanceof Error ? err.message : String(err) };
        degraded = true;
      }
    }),
  );
  return { degraded, sections: out };
}
