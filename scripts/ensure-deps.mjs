#!/usr/bin/env node
// Installs the dependencies when they are missing, so `npm test` works as the only command on a fresh clone
// (npm runs this `pretest` step with the project's own scripts only: jest itself would be missing).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The project targets Node 24 LTS (.nvmrc, engines): on an older Node the tests would run for minutes and fail far
// from the cause. Said once, with a way to get Node 24 that needs only the npm registry.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node.js 24 is required (this is ${process.version}; see .nvmrc). With nvm: nvm install 24. ` +
      'With only the npm registry: npm install --no-save --prefix .tools node@24 && export PATH="$PWD/.tools/node_modules/.bin:$PATH"',
  );
  process.exit(1);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const wanted = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
const missing = wanted.filter(
  (name) => !fs.existsSync(path.join(root, 'node_modules', name, 'package.json')),
);
if (missing.length === 0) process.exit(0);

console.error(
  `Installing dependencies (${missing.length} missing, e.g. ${missing.slice(0, 3).join(', ')}): npm install`,
);
// npm sets npm_execpath for the scripts it runs; fall back to npm on PATH.
const npm = process.env.npm_execpath;
const result = spawnSync(
  npm ? process.execPath : 'npm',
  [...(npm ? [npm] : []), 'install', '--no-audit', '--no-fund'],
  { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
);
process.exit(result.status ?? 1);
