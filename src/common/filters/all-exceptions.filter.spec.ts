import { type ArgumentsHost, ConflictException, Logger } from '@nestjs/common';
import { Prisma } from '../../generated/prisma/client';
import { ProviderError } from '../../providers/provider.errors';
import { AllExceptionsFilter } from './all-exceptions.filter';

function run(exception: unknown) {
  const response = {
    headersSent: false,
    headers: {} as Record<string, unknown>,
    statusCode: 0,
    body: undefined as unknown,
  };
  const res = {
    get headersSent() {
      return response.headersSent;
    },
    setHeader: (name: string, value: unknown) => (response.headers[name] = value),
    status(code: number) {
      response.statusCode = code;
      return this;
    },
    json(body: unknown) {
      response.body = body;
    },
  };
  const host = {
    switchToHttp: () => ({
      getRequest: () => ({ method: 'GET', originalUrl: '/v2/x', url: '/v2/x', requestId: 'req-1' }),
      getResponse: () => res,
    }),
  } as unknown as ArgumentsHost;
  new AllExceptionsFilter().catch(exception, host);
  return response;
}

describe('AllExceptionsFilter', () => {
  it('keeps an HttpException’s status and message in the envelope', () => {
    const out = run(new ConflictException('already there'));
    expect(out.statusCode).toBe(409);
    expect(out.body).toEqual({
      status: 'error',
      timestamp: expect.any(String),
      path: '/v2/x',
      error: { code: 'ConflictException', message: 'already there' },
    });
  });

  it('maps Prisma P2002/P2025/P2003 to 409/404/400', () => {
    const prismaError = (code: string) =>
      new Prisma.PrismaClientKnownRequestError('x', { code, clientVersion: '7' });
    expect(run(prismaError('P2002')).statusCode).toBe(409);
    expect(run(prismaError('P2025')).statusCode).toBe(404);
    expect(run(prismaError('P2003')).statusCode).toBe(400);
  });

  it('answers anything unexpected with a generic 500 and logs the detail with the request id', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const out = run(new Error('db password is hunter2'));
    expect(out.statusCode).toBe(500);
    expect(JSON.stringify(out.body)).not.toContain('hunter2');
    expect((out.body as { error: { message: string } }).error.message).toBe(
      'There was an error, please try again later.',
    );
    expect(log.mock.calls[0][0]).toContain('requestId=req-1');
    log.mockRestore();
  });

  it('maps provider errors to their HTTP status with the type, and sets Retry-After when rate limited', () => {
    const out = run(new ProviderError('RATE_LIMITED', 'slow down', 'google', 2500));
    expect(out.statusCode).toBe(503);
    expect(out.headers['Retry-After']).toBe(3);
    expect(out.body).toMatchObject({
      error: {
        code: 'ProviderError',
        details: { type: 'RATE_LIMITED', permanent: false, retryAfterSeconds: 3 },
      },
    });
    expect(run(new ProviderError('CLIENT_NOT_AUTHORIZED', 'add it', 'google')).statusCode).toBe(400);
  });
});
