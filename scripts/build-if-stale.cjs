#!/usr/bin/env node
// `node scripts/build-if-stale.cjs`: runs `nest build` when dist/ is missing or older than any source file, so that
// `npm test` (whose fault tests run the built processes) and `npm run demo` work on a fresh clone. Also a module:
// `buildIsCurrent()` for the demo.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const BUILT = ['main.js', 'worker.js', 'cli.js', path.join('sandbox', 'main.js')].map((f) =>
  path.join(ROOT, 'dist', f),
);

/** Newest modification time (ms) of a `.ts` file under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/** Whether dist/ holds every entry point, each built after the newest file of src/. */
function buildIsCurrent() {
  if (!BUILT.every((file) => existsSync(file))) return false;
  const oldest = Math.min(...BUILT.map((file) => statSync(file).mtimeMs));
  return oldest >= newestMtime(path.join(ROOT, 'src'));
}

module.exports = { buildIsCurrent };

if (require.main === module) {
  if (buildIsCurrent()) process.exit(0);
  console.error('Building dist/ (missing or older than src/): nest build');
  const result = spawnSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  process.exit(result.status ?? 1);
}
