import { describe, expect, it } from 'vitest';
import { AREAS } from './areas.ts';
import { afterSignIn, routes } from './router.ts';

describe('routes', () => {
  it('has a route for every area plus login, register and unlock', () => {
    const names = routes.map((r) => r.name);
    for (const area of AREAS) expect(names).toContain(area.id);
    expect(names).toEqual(expect.arrayContaining(['login', 'register', 'unlock']));
  });

  it('puts the sign-in screens outside the app layout', () => {
    for (const name of ['login', 'register', 'unlock']) expect(routes.find((r) => r.name === name)?.meta?.layout).toBe('auth');
  });
});

describe('after sign-in', () => {
  it('returns to the page that was asked for', () => {
    expect(afterSignIn('/budgets?month=2026-11')).toBe('/budgets?month=2026-11');
  });

  it('never follows a redirect off the site', () => {
    expect(afterSignIn('//evil.example/')).toBe('/');
    expect(afterSignIn('https://evil.example/')).toBe('/');
    expect(afterSignIn(['/a', '/b'])).toBe('/');
    expect(afterSignIn('/\\evil.example/')).toBe('/');
    expect(afterSignIn(undefined)).toBe('/');
  });
});
