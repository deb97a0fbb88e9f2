import { DemoFailure, out } from './output';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export type Headers = Record<string, string>;

/** One JSON request; never throws on a status (the story decides), only when nothing answers. */
export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { headers?: Headers; body?: unknown } = {},
): Promise<Answer<T>> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new DemoFailure(
      out.currentStep,
      `${method} ${base}${path}: no answer (${(error as Error).message})`,
    );
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: body as T };
}

/** A request whose status must be `expected`; anything else fails the current step with the answer. */
export async function expectStatus<T = Record<string, unknown>>(
  expected: number,
  base: string,
  method: string,
  path: string,
  options: { headers?: Headers; body?: unknown } = {},
): Promise<T> {
  const answer = await call<T>(base, method, path, options);
  if (answer.status !== expected) {
    throw new DemoFailure(
      out.currentStep,
      `${method} ${path} answered ${answer.status}, expected ${expected}:\n${JSON.stringify(answer.body, null, 2)}`,
    );
  }
  return answer.body;
}

/** Polls `probe` every 250 ms until it returns a value other than undefined, or fails the step after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new DemoFailure(out.currentStep, `timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs `task` over `items` with at most `concurrency` at once. */
export async function inParallel<T>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await task(items[next++]);
  });
  await Promise.all(lanes);
}
