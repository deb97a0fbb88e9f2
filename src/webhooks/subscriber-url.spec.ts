import {
  checkDestination,
  ForbiddenDestinationError,
  guardedLookup,
  isForbiddenAddress,
  subscriberUrlSyntaxProblem,
} from './subscriber-url';

describe('subscriber URL checks (SSRF)', () => {
  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '[::1]',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::127.0.0.1',
    '64:ff9b::a00:1',
    '2002:c0a8:101::1',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '93.184.215.14', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:808:808'])(
    'accepts %s',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );

  it('checks the syntax: http(s) only, absolute, no credentials, bounded length', () => {
    expect(subscriberUrlSyntaxProblem('https://hooks.acme.com/cal')).toBeNull();
    expect(subscriberUrlSyntaxProblem('not a url')).toMatch(/absolute/);
    expect(subscriberUrlSyntaxProblem('ftp://acme.com/x')).toMatch(/http or https/);
    expect(subscriberUrlSyntaxProblem('file:///etc/passwd')).toMatch(/http or https/);
    expect(subscriberUrlSyntaxProblem('https://user:pw@acme.com/')).toMatch(/user name or password/);
    expect(subscriberUrlSyntaxProblem(`https://acme.com/${'a'.repeat(2048)}`)).toMatch(/at most/);
    expect(subscriberUrlSyntaxProblem(42)).not.toBeNull();
  });

  it.each([
    'http://localhost:3000/x',
    'http://api.localhost/x',
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::1]:8080/',
  ])('refuses %s when saved, without DNS for literals', async (url) => {
    expect(await checkDestination(new URL(url))).toEqual({
      ok: false,
      retryable: false,
      reason: expect.any(String),
    });
  });

  it('accepts a public literal and reports an unresolvable name', async () => {
    expect(await checkDestination(new URL('https://93.184.215.14/hook'))).toEqual({ ok: true });
    expect(await checkDestination(new URL('https://nothing-here.invalid/hook'))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/could not be resolved/),
    });
  });

  it('refuses in the socket lookup a name resolving to loopback (both lookup forms)', async () => {
    const lookup = (all: boolean) =>
      new Promise<unknown>((resolve) =>
        guardedLookup('localhost', { all }, (error: NodeJS.ErrnoException | null) => resolve(error)),
      );
    expect(await lookup(true)).toBeInstanceOf(ForbiddenDestinationError);
    expect(await lookup(false)).toBeInstanceOf(ForbiddenDestinationError);
  });
});
