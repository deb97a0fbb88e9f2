// Runs TypeScript entrypoints (cli, sandbox, bench) without a build: ts-node in transpile-only mode,
// compiled to CommonJS so decorator metadata (Nest DI) and the Prisma CJS client work.
const Module = require('node:module');

require('ts-node').register({
  transpileOnly: true,
  compilerOptions: { module: 'commonjs', moduleResolution: 'node10', resolvePackageJsonExports: false },
});

// Sources import siblings as './x.js' (Node ESM-style specifiers, as the generated Prisma client does);
// without a build those files are './x.ts', so fall back to the TypeScript file.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (error) {
    if (request.endsWith('.js') && (request.startsWith('./') || request.startsWith('../'))) {
      return resolve.call(this, request.slice(0, -3) + '.ts', parent, ...rest);
    }
    throw error;
  }
};
