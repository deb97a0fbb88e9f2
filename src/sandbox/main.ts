import { config as loadDotenv } from 'dotenv';
import { FakeProviderServer } from './fake-provider.server';

/**
 * Standalone sandbox: `npm run sandbox` (SANDBOX_PORT, default 4010; SANDBOX_HOST, default 127.0.0.1).
 * Not part of the service, so it reads its two variables itself, from the environment or `.env` like the service
 * (real environment variables win).
 */
function readConfig(): { port: number; host: string } {
  loadDotenv({ quiet: true });
  const problems: string[] = [];
  const rawPort = process.env.SANDBOX_PORT?.trim() || '4010';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65535) problems.push('SANDBOX_PORT: must be a port number (0-65535)');
  const host = process.env.SANDBOX_HOST?.trim() || '127.0.0.1';
  if (/[\s/]/.test(host)) problems.push('SANDBOX_HOST: must be a host name or IP address to listen on');
  if (problems.length) {
    console.error(
      `Sandbox cannot start: invalid configuration\n  - ${problems.join('\n  - ')}\n` +
        'Set these in the environment or in .env (see .env.example).',
    );
    process.exit(1);
  }
  return { port, host };
}

async function main(): Promise<void> {
  const { port, host } = readConfig();
  const fake = new FakeProviderServer();
  await fake.listen(port, host);
  const url = fake.url;
  console.log(`Google / Microsoft sandbox listening on ${url}`);
  console.log('Point the service (API and worker) at it with:');
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
  console.error(`Sandbox failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
