import { FakeProviderServer } from '../../src/sandbox/fake-provider.server';
import { createTestApp, type TestApp, useForSuite } from './app';

const VARIABLES = ['GOOGLE_API_BASE_URL', 'MICROSOFT_LOGIN_BASE_URL', 'MICROSOFT_GRAPH_BASE_URL'] as const;

/**
 * Starts the local Google/Microsoft fakes and points the service at them through its ordinary configuration
 * (the same variables an operator sets for the sandbox). Call before createTestApp(); `stop()` restores the env.
 */
export async function startFakeProviders(): Promise<{ fake: FakeProviderServer; stop: () => Promise<void> }> {
  const fake = await FakeProviderServer.start();
  const previous = VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of VARIABLES) process.env[name] = fake.url;
  return {
    fake,
    stop: async () => {
      for (const [name, value] of previous) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await fake.close();
    },
  };
}

export interface TestAppWithFakes extends TestApp {
  fake: FakeProviderServer;
}

/** The provider fakes, then the test app pointed at them with the workspace platforms seeded; `close()` stops both. */
export async function createTestAppWithFakes(): Promise<TestAppWithFakes> {
  const { fake, stop } = await startFakeProviders();
  const t = await createTestApp({ seedPlatforms: true });
  return {
    ...t,
    fake,
    close: async () => {
      await t.close();
      await stop();
    },
  };
}

/** createTestAppWithFakes() for the calling describe block (see useForSuite). */
export function useTestAppWithFakes(): TestAppWithFakes {
  return useForSuite(createTestAppWithFakes);
}
