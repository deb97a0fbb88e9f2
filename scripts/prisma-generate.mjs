#!/usr/bin/env node
// `prisma generate` that also works offline.
//
// The Prisma 7 CLI wants its native schema-engine binary to exist before any command, and downloads it when missing,
// which fails without access to Prisma's binary host. Generating the client never runs that engine (the generator is
// Wasm), so any existing executable will do: when PRISMA_SCHEMA_ENGINE_BINARY is unset, this points it at the Node
// binary running this script for the generate step only. Online users keep using the ordinary CLI as they like.
//
//   node scripts/prisma-generate.mjs              generate the client (npm run db:generate)
//   node scripts/prisma-generate.mjs --if-stale   only when the client is missing or older than the schema
//                                                 (postinstall, pretest, prebuild, the demo: ~0.1 s when current)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schema = path.join(root, 'prisma', 'schema.prisma');
const output = path.join(root, 'src', 'generated', 'prisma');
const stamp = path.join(output, '.schema-hash');
const ifStale = process.argv.includes('--if-stale');

if (!fs.existsSync(schema)) {
  // e.g. a Docker layer that installs dependencies before the sources are copied in
  console.error('prisma-generate: no prisma/schema.prisma yet, skipped');
  process.exit(0);
}

let cli;
try {
  cli = createRequire(path.join(root, 'package.json')).resolve('prisma/build/index.js');
} catch {
  if (ifStale && fs.existsSync(path.join(output, 'client.ts'))) process.exit(0); // production install: no CLI
  console.error('prisma-generate: the prisma package is not installed (run npm install)');
  process.exit(1);
}

const version = JSON.parse(
  fs.readFileSync(path.join(path.dirname(cli), '..', 'package.json'), 'utf8'),
).version;
const hash = createHash('sha256').update(version).update('\0').update(fs.readFileSync(schema)).digest('hex');
const current = () =>
  fs.existsSync(path.join(output, 'client.ts')) &&
  fs.existsSync(stamp) &&
  fs.readFileSync(stamp, 'utf8') === hash;

if (ifStale && current()) process.exit(0);

const result = spawnSync(process.execPath, [cli, 'generate'], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1',
  },
});
if (result.status !== 0) {
  console.error(`prisma-generate: prisma generate failed (exit ${result.status ?? result.signal})`);
  process.exit(result.status || 1);
}
fs.writeFileSync(stamp, hash);
