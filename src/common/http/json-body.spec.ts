import { inspectJson, jsonDepth, MAX_JSON_DEPTH, verifyJsonBody } from './json-body';

const depthOf = (text: string) => jsonDepth(Buffer.from(text));
const call = (text: string) => () => verifyJsonBody({} as never, {} as never, Buffer.from(text));

describe('jsonDepth', () => {
  it('counts nested objects and arrays', () => {
    expect(depthOf('1')).toBe(0);
    expect(depthOf('{}')).toBe(1);
    expect(depthOf('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(depthOf('{"a":"[[[{{{"}')).toBe(1);
    expect(depthOf('{"a":"\\"[[[","b":"\\\\"}')).toBe(1);
  });
});

describe('verifyJsonBody: depth', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more with a 400 body error`, () => {
    const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(call(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(call(nested(MAX_JSON_DEPTH + 1))).toThrow(
      expect.objectContaining({ status: 400, type: 'entity.too.deep' }),
    );
  });
});

describe('lone surrogates', () => {
  const lone = (text: string) => inspectJson(Buffer.from(text)).loneSurrogate;

  it('accepts surrogate pairs, other escapes, and escaped backslashes before a u', () => {
    expect(lone('{"a":"\\ud83d\\udca9 ok","b":["\\u00e9\\n"]}')).toBe(false);
    expect(lone('{"a":"\\\\ud800"}')).toBe(false); // the text \ud800, not an escape
    expect(lone('{"a":"💩"}')).toBe(false);
  });

  it('finds lone high and low surrogates in values and keys, at any depth', () => {
    for (const text of [
      '"\\ud800"',
      '{"a":"x\\udfff"}',
      '{"a":[{"b":"\\uD800x"}]}',
      '{"\\ud800":1}',
      '"\\udc00\\ud800"',
    ])
      expect({ text, lone: lone(text) }).toEqual({ text, lone: true });
  });

  it('is refused by verifyJsonBody as a 400 body error', () => {
    expect(call('{"a":"\\ud800"}')).toThrow(
      expect.objectContaining({ status: 400, type: 'entity.invalid.unicode' }),
    );
  });
});

describe('NUL characters', () => {
  const nul = (text: string) => inspectJson(Buffer.from(text)).nul;

  it('finds a \\u0000 escape in any string, not an escaped backslash before u0000', () => {
    expect(nul('{"a":"x\\u0000y"}')).toBe(true);
    expect(nul('{"\\u0000":1}')).toBe(true);
    expect(nul('{"a":"\\\\u0000"}')).toBe(false);
    expect(nul('{"a":"\\u0001"}')).toBe(false);
  });

  it('is refused by verifyJsonBody as a 400 body error', () => {
    expect(call('{"a":"\\u0000"}')).toThrow(
      expect.objectContaining({ status: 400, type: 'entity.nul.character' }),
    );
  });
});
