import { jsonDepth, MAX_JSON_DEPTH, verifyJsonBody } from './json-body';

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
