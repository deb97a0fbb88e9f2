import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_DIR, ROOT, type Stoppable } from './infra';
import { DemoFailure } from './output';

export const LOG_DIR = path.join(DEMO_DIR, 'logs');

/** The last lines of a child's log, for a failure message. */
export function tail(name: string, lines = 20): string {
  try {
    return readFileSync(path.join(LOG_DIR, `${name}.log`), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .join('\n');
  } catch {
    return '';
  }
}

/** Runs a command to completion (output to its log file); rejects naming the step when it fails. */
export async function runToEnd(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 300_000,
): Promise<void> {
  const child = start(name, args, env);
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.process.kill('SIGKILL'), timeoutMs);
    child.process.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new DemoFailure(name, `${name} failed (exit ${code})\n${tail(name)}`);
}

export interface Child extends Stoppable {
  process: ChildProcess;
  /** Resolves once `pattern` appears in the child's output; rejects if it exits first or after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** Starts `node <args>` in the project folder, its output appended to .demo/logs/<name>.log. */
export function start(name: string, args: string[], env: NodeJS.ProcessEnv): Child {
  mkdirSync(LOG_DIR, { recursive: true });
  const log = createWriteStream(path.join(LOG_DIR, `${name}.log`), { flags: 'w' });
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    log.write(chunk);
    output = (output + chunk.toString('utf8')).slice(-20_000);
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  child.once('exit', () => {
    log.end();
    for (const listener of listeners) listener();
  });
  return {
    name,
    process: child,
    waitForOutput: (pattern, timeoutMs = 120_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) done(null);
          else if (child.exitCode !== null || child.signalCode !== null)
            done(
              new DemoFailure(
                name,
                `${name} exited (${child.exitCode ?? child.signalCode})\n${output.trim().split('\n').slice(-20).join('\n')}`,
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(new DemoFailure(name, `${name} did not get ready in ${timeoutMs / 1000} s\n${tail(name)}`)),
          timeoutMs,
        );
        const done = (error: Error | null) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (error) reject(error);
          else resolve();
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx. */
export async function waitForHttp(
  name: string,
  url: string,
  child: Child,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not yet
    }
    if (child.process.exitCode !== null)
      throw new DemoFailure(name, `${name} exited (${child.process.exitCode})\n${tail(name)}`);
    if (Date.now() > deadline) throw new DemoFailure(name, `${name} did not answer ${url}\n${tail(name)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
