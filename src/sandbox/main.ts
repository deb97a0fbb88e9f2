import { FakeProviderServer } from './fake-provider.server';

/**
 * Standalone sandbox: `npm run sandbox` (SANDBOX_PORT, default 4010; SANDBOX_HOST, default 127.0.0.1).
 * Not part of the service, so it reads process.env directly.
 */
async function main(): Promise<void> {
  const port = Number(process.env.SANDBOX_PORT ?? 4010);
  const host = process.env.SANDBOX_HOST ?? '127.0.0.1';
  const fake = new FakeProviderServer();
  await fake.listen(port, host);
  const url = fake.url;
  console.log(`Google / Microsoft sandbox listening on ${url}`);
  console.log('Point the service at it with:');
  console.log(`  GOOGLE_API_BASE_URL=${url}`);
  console.log(`  MICROSOFT_LOGIN_BASE_URL=${url}`);
  console.log(`  MICROSOFT_GRAPH_BASE_URL=${url}`);
  console.log(`Control API: ${url}/__sandbox (see src/sandbox/README.md), e.g.`);
  console.log(
    `  curl -s -XPOST ${url}/__sandbox/google/service-accounts -H 'content-type: application/json' -d '{}'`,
  );

  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
