import { describe, expect, it } from 'vitest';
import { ipKey } from './rate-limit.ts';

describe('the key an address is limited under', () => {
  it('puts every address of one IPv6 /64 under one key, so rotating through it gains nothing', () => {
    const keys = ['2001:db8:1:2::1', '2001:db8:1:2:ffff:ffff:ffff:fffe', '2001:0db8:0001:0002:abcd::9', '2001:DB8:1:2::'].map(ipKey);
    expect(new Set(keys)).toEqual(new Set(['2001:db8:1:2::/64']));
    expect(ipKey('2001:db8:1:3::1')).not.toBe(keys[0]);
    expect(ipKey('::1')).toBe('0:0:0:0::/64');
    expect(ipKey('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
  });

  it('keeps IPv4 as it is, also when mapped into IPv6', () => {
    expect(ipKey('203.0.113.7')).toBe('203.0.113.7');
    expect(ipKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipKey('unknown')).toBe('unknown');
  });
});
