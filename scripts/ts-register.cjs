// Runs TypeScript entrypoints (cli, sandbox, bench) without a build: ts-node in transpile-only mode,
// compiled to CommonJS so decorator metadata (Nest DI) and the Prisma CJS client work.
require('ts-node').register({
  transpileOnly: true,
  compilerOptions: { module: 'commonjs', moduleResolution: 'node10', resolvePackageJsonExports: false },
});
