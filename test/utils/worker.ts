import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { WorkerModule } from '../../src/lifecycle/worker.module';

/** The worker module in this process (real BullMQ workers on real Redis). */
export async function startInProcessWorker(): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports: [WorkerModule] }).compile();
  moduleRef.useLogger(['error']);
  await moduleRef.init();
  return moduleRef;
}

/** `npm run worker` as a separate process (ts-node, no build needed), with extra environment. */
export function spawnWorker(env: Record<string, string> = {}): ChildProcess {
  const root = path.join(__dirname, '..', '..');
  const child = spawn(process.execPath, ['-r', './scripts/ts-register.cjs', 'src/worker.ts'], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

/** Polls `probe` until it returns true (or throws after `timeoutMs`). */
export async function waitFor(
  probe: () => Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
