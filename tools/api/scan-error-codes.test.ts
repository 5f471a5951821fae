import { describe, expect, it } from 'vitest';
import { scanErrorCodes } from './scan-error-codes.ts';

const cases: { title: string; source: string; emitted: string[]; mentioned?: string[] }[] = [
  {
    title: 'an object literal code property',
    source: "throw new APIError({ type: 'bad_request', code: 'INVALID_JSON' });",
    emitted: ['INVALID_JSON'],
  },
  {
    title: 'a class field initializer',
    source: "class E extends Error { readonly code = 'CLIENT_DISCONNECTED'; }",
    emitted: ['CLIENT_DISCONNECTED'],
  },
  {
    title: 'the error builder',
    source: "createErrorBuilder().code('ITEM_NOT_FOUND').build();",
    emitted: ['ITEM_NOT_FOUND'],
  },
  {
    title: 'any UPPER_SNAKE argument of new …Error',
    source: "throw new CoreError('prepare', 'CORE_FROZEN', 'message');",
    emitted: ['CORE_FROZEN'],
  },
  {
    title: 'keys of an error table',
    source: "export const SECURITY_ERRORS = { PLUMEGO_ERR_AUTH_FORBIDDEN: { message: 'no', status: 403 } } as const;",
    emitted: ['PLUMEGO_ERR_AUTH_FORBIDDEN'],
  },
  {
    title: 'values of an error-code table',
    source: "export const RESILIENCE_ERROR_CODES = { circuitOpen: 'CIRCUIT_OPEN' } as const;",
    emitted: ['CIRCUIT_OPEN'],
  },
  {
    title: 'arguments nested in an error table',
    source: "const ERROR_TYPES = { bad: row('client_error', 'BAD_REQUEST', 400) };",
    emitted: ['BAD_REQUEST'],
  },
  {
    title: 'a comparison is only a mention',
    source: "if (err.code === 'RATE_LIMITED') retry();",
    emitted: [],
    mentioned: ['RATE_LIMITED'],
  },
  {
    title: 'HTTP methods and other short words are mentions',
    source: "const methods = ['GET', 'POST']; log('INFO');",
    emitted: [],
    mentioned: ['GET', 'INFO', 'POST'],
  },
  {
    title: 'lowercase and prose are ignored',
    source: "throw new APIError({ code: 'not a code', message: 'Bad input' });",
    emitted: [],
    mentioned: [],
  },
  {
    title: 'a code in a comment is not a use',
    source: "// code: 'GHOST_CODE'\nexport {};",
    emitted: [],
    mentioned: [],
  },
];

describe('scanErrorCodes', () => {
  for (const c of cases) {
    it(`finds ${c.title}`, () => {
      const sites = scanErrorCodes('framework/m/x.ts', c.source);
      expect(
        sites
          .filter((s) => s.emitted)
          .map((s) => s.code)
          .sort(),
      ).toEqual(c.emitted);
      if (c.mentioned)
        expect(
          sites
            .filter((s) => !s.emitted)
            .map((s) => s.code)
            .sort(),
        ).toEqual(c.mentioned);
    });
  }

  it('gives 1-based positions', () => {
    expect(scanErrorCodes('f.ts', "\n  x({ code: 'A_B' });")).toEqual([
      { code: 'A_B', file: 'f.ts', line: 2, column: 13, emitted: true, surface: 'wire' },
    ]);
  });

  it('tells wire codes from typed error codes', () => {
    const sites = scanErrorCodes(
      'f.ts',
      [
        "throw new APIError({ code: 'ON_THE_WIRE' });",
        "class E extends Error { readonly code = 'CLASS_FIELD'; }",
        "throw new CoreError('op', 'CTOR_ARG');",
        'const X_ERRORS = { IN_TABLE: 1 };',
      ].join('\n'),
    );
    expect(sites.map((s) => [s.code, s.surface])).toEqual([
      ['ON_THE_WIRE', 'wire'],
      ['CLASS_FIELD', 'typed'],
      ['CTOR_ARG', 'typed'],
      ['IN_TABLE', 'wire'],
    ]);
  });
});
