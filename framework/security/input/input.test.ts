import { describe, it, expect } from 'vitest';
import { isSecurityError } from '../errors.ts';
import { isValidEmail, assertEmail } from './email.ts';
import { isHeaderName, isHeaderValue, isHttpToken } from './header.ts';
import { assertPublicUrl, isPublicIpAddress, normalizeIpAddress, resolvePublicUrl } from './ssrf.ts';
import { assertUrl, isValidUrl } from './url.ts';

describe('header validators', () => {
  it('accepts tokens and rejects delimiters', () => {
    expect(isHttpToken('Bearer')).toBe(true);
    expect(isHeaderName('X-Request-ID')).toBe(true);
    expect(isHeaderName('X Request')).toBe(false);
    expect(isHeaderName('')).toBe(false);
    expect(isHttpToken('a:b')).toBe(false);
  });
  it('rejects header values that could split a response', () => {
    expect(isHeaderValue('text/html; charset=utf-8')).toBe(true);
    expect(isHeaderValue('a\r\nSet-Cookie: x')).toBe(false);
    expect(isHeaderValue('a\nb')).toBe(false);
    expect(isHeaderValue('a\u0000')).toBe(false);
    expect(isHeaderValue(' padded')).toBe(false);
  });
});

describe('email', () => {
  const cases = [
    { input: 'user@example.com', expected: true },
    { input: 'first.last+tag@sub.example.co.uk', expected: true },
    { input: 'user@localhost', expected: false },
    { input: 'user@@example.com', expected: false },
    { input: '.user@example.com', expected: false },
    { input: 'us..er@example.com', expected: false },
    { input: '"quoted"@example.com', expected: false },
    { input: 'Name <user@example.com>', expected: false },
    { input: 'user@example.com\r\nBcc: x@y.z', expected: false },
    { input: 'user@-example.com', expected: false },
    { input: 'user@example.123', expected: false },
    { input: `${'a'.repeat(65)}@example.com`, expected: false },
    { input: `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`, expected: false },
    { input: `a@${'b'.repeat(64)}.com`, expected: false },
  ];
  for (const { input, expected } of cases) {
    it(`${JSON.stringify(input.slice(0, 40))} → ${expected}`, () => expect(isValidEmail(input)).toBe(expected));
  }
  it('assertEmail throws a coded error without echoing the input', () => {
    expect(() => assertEmail('bad@@x')).toThrow(expect.objectContaining({ code: 'PLUMEGO_ERR_INPUT_INVALID_EMAIL' }));
    expect(assertEmail('ok@example.org')).toBe('ok@example.org');
  });
});

describe('URL validation', () => {
  const cases = [
    { input: 'https://example.com/a?b=c', expected: true },
    { input: 'ftp://example.com/', expected: false },
    { input: 'javascript:alert(1)', expected: false },
    { input: 'https://user:pass@example.com/', expected: false },
    { input: 'https://example.com\\@evil.com/', expected: false },
    { input: 'https://example.com//evil', expected: false },
    { input: 'https://example.com:99999/', expected: false },
    { input: 'https://exa mple.com/', expected: false },
    { input: 'https:///path', expected: false },
    { input: 'not a url', expected: false },
    { input: 'https:example.com', expected: false },
  ];
  for (const { input, expected } of cases) {
    it(`${input} → ${expected}`, () => expect(isValidUrl(input)).toBe(expected));
  }
  it('honours the scheme allowlist and the length cap', () => {
    expect(assertUrl('wss://example.com/', { schemes: ['wss'] }).protocol).toBe('wss:');
    expect(isValidUrl(`https://example.com/${'a'.repeat(3000)}`)).toBe(false);
  });
});

describe('SSRF guard', () => {
  const blocked = [
    '127.0.0.1',
    '2130706433',
    '0177.0.0.1',
    '0x7f.0.0.1',
    '0x7f000001',
    '017700000001',
    '127.1',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '0:0:0:0:0:ffff:a00:1',
    '::ffff:169.254.169.254',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:7f00:1::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    'ff02::1',
    '2001:db8::1',
  ];
  for (const address of blocked) {
    it(`refuses ${address}`, () => expect(isPublicIpAddress(address)).toBe(false));
  }
  const allowed = ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'];
  for (const address of allowed) {
    it(`accepts ${address}`, () => expect(isPublicIpAddress(address)).toBe(true));
  }
  it('normalises alternative spellings like a URL parser does', () => {
    expect(normalizeIpAddress('2130706433')).toBe('127.0.0.1');
    expect(normalizeIpAddress('0177.0.0.1')).toBe('127.0.0.1');
    expect(normalizeIpAddress('[0:0:0:0:0:ffff:7f00:1]')).toBe('::ffff:7f00:1');
    expect(normalizeIpAddress('example.com')).toBeUndefined();
  });

  const urls = [
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://0x7f.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:a9fe:a9fe]/latest/meta-data',
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost/',
    'http://LOCALHOST./',
    'http://api.localhost/',
    'http://metadata.google.internal/',
    'http://intranet/',
    'http://[fe80::1%25eth0]/',
  ];
  for (const url of urls) {
    it(`assertPublicUrl refuses ${url}`, () => {
      let caught: unknown;
      try {
        assertPublicUrl(url);
      } catch (err) {
        caught = err;
      }
      expect(isSecurityError(caught)).toBe(true);
    });
  }

  it('assertPublicUrl accepts a public name and a public literal', () => {
    expect(assertPublicUrl('https://example.com/x').hostname).toBe('example.com');
    expect(assertPublicUrl('https://[2606:4700:4700::1111]/').hostname).toBe('[2606:4700:4700::1111]');
  });

  it('resolvePublicUrl refuses a name that resolves to a private address (DNS rebinding)', async () => {
    const lookup = async () => [{ address: '93.184.216.34' }, { address: '10.0.0.5' }];
    await expect(resolvePublicUrl('https://rebind.example.com/', { lookup })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_INPUT_FORBIDDEN_ADDRESS',
    });
  });

  it('resolvePublicUrl returns the checked addresses for a public name', async () => {
    const lookup = async () => [{ address: '93.184.216.34' }];
    const resolved = await resolvePublicUrl('https://example.com/', { lookup });
    expect(resolved.addresses).toEqual(['93.184.216.34']);
  });

  it('resolvePublicUrl fails closed when DNS fails', async () => {
    const lookup = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(resolvePublicUrl('https://nx.example.com/', { lookup })).rejects.toMatchObject({ reason: 'dns' });
  });
});

describe('SSRF address ranges, one by one', () => {
  const blocked = [
    '0.1.2.3',
    '10.255.255.255',
    '100.64.0.1',
    '100.127.255.255',
    '127.0.0.2',
    '169.254.1.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.1',
    '192.0.2.1',
    '192.88.99.1',
    '192.168.1.1',
    '198.18.0.1',
    '198.19.255.255',
    '198.51.100.1',
    '203.0.113.1',
    '224.0.0.1',
    '239.255.255.255',
    '240.0.0.1',
    '::2',
    '100::1',
    '2001::1',
    '2001:db8::1',
    'fc00::1',
    'fdff::1',
    'fe80::1',
    'febf::1',
    'fec0::1',
    'ff02::1',
    '2002:7f00:1::',
    '2002:a9fe:a9fe::1',
    '64:ff9b::a00:1',
    '::ffff:192.168.0.1',
    '::FFFF:10.0.0.1',
  ];
  const open = [
    '100.63.255.255',
    '100.128.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '11.0.0.1',
    '2002:808:808::',
    '2003::1',
    'fe00::1',
    '2606:4700::1',
  ];
  it.each(blocked)('refuses %s', (a) => expect(isPublicIpAddress(a)).toBe(false));
  it.each(open)('accepts %s', (a) => expect(isPublicIpAddress(a)).toBe(true));

  it('is false for names and garbage, and normalises only addresses', () => {
    expect(['example.com', '', '[::1', 'gg::1'].map(isPublicIpAddress)).toEqual([false, false, false, false]);
    // A short dotted form means what a URL parser makes of it.
    expect(normalizeIpAddress('1.2.3')).toBe('1.2.0.3');
    expect(normalizeIpAddress('example.com')).toBeUndefined();
    expect(normalizeIpAddress('[::1]')).toBe('::1');
    expect(normalizeIpAddress('127.1')).toBe('127.0.0.1');
    expect(normalizeIpAddress('0x7f000001')).toBe('127.0.0.1');
    expect(normalizeIpAddress('::ffff:1.2.3.4')).toBe('::ffff:102:304');
    expect(normalizeIpAddress('http://')).toBeUndefined();
  });

  it('refuses internal names, suffixes and single labels, with or without a trailing dot, in any case', () => {
    for (const url of [
      'http://LOCALHOST/',
      'http://localhost./',
      'http://metadata/',
      'http://metadata.google.internal/',
      'http://instance-data/',
      'http://a.localhost/',
      'http://db.internal/',
      'http://printer.local/',
      'http://x.localdomain/',
      'http://nas.home.arpa/',
      'http://intranet/',
      'http://[::1]/',
      'http://10.0.0.1/',
    ]) {
      expect(() => assertPublicUrl(url)).toThrow(
        expect.objectContaining({ code: 'PLUMEGO_ERR_INPUT_FORBIDDEN_ADDRESS' }),
      );
    }
    expect(assertPublicUrl('https://Example.COM./x').hostname).toBe('example.com.');
    expect(assertPublicUrl('https://localhost.example.com/').hostname).toBe('localhost.example.com');
    expect(assertPublicUrl('https://8.8.8.8/').hostname).toBe('8.8.8.8');
  });

  it('resolves a literal without DNS, fails on an empty answer, and checks every answer', async () => {
    let asked = 0;
    const lookup = async () => {
      asked++;
      return [] as { address: string }[];
    };
    expect(await resolvePublicUrl('https://8.8.8.8/', { lookup })).toMatchObject({ addresses: ['8.8.8.8'] });
    expect(await resolvePublicUrl('https://[2606:4700::1]/', { lookup })).toMatchObject({
      addresses: ['2606:4700::1'],
    });
    expect(asked).toBe(0);
    await expect(resolvePublicUrl('https://example.com/', { lookup })).rejects.toMatchObject({
      code: 'PLUMEGO_ERR_INPUT_FORBIDDEN_ADDRESS',
      reason: 'dns',
    });
    const mixed = async () => [{ address: '8.8.8.8' }, { address: '::1' }];
    await expect(resolvePublicUrl('https://example.com/', { lookup: mixed })).rejects.toMatchObject({
      reason: 'address',
    });
    const two = async () => [{ address: '8.8.8.8' }, { address: '1.1.1.1' }];
    expect((await resolvePublicUrl('https://example.com/', { lookup: two })).addresses).toEqual(['8.8.8.8', '1.1.1.1']);
  });
});
