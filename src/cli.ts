import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AdminBootstrapService, type IssuedCredentials } from './admin/admin-bootstrap.service';
import { CliModule } from './admin/cli.module';
import { exitOnStartupError, preflight } from './common/boot/preflight';
import { CalendarCredentialsRepository } from './calendars/shared/calendar-credentials.repository';
import { KeyEncryptionService } from './crypto/key-encryption.service';
import { DelegationCredentialsRepository } from './delegation-credentials/delegation-credentials.repository';
import { WebhooksRepository } from './webhooks/webhooks.repository';
import { WorkspacePlatformsRepository } from './workspace-platforms/workspace-platforms.repository';

const USAGE = `Usage: npm run cli -- <command> [options]

  seed                                   create the workspace platforms (google, office365) if missing
  create-org --slug <s> --admin-email <e> [--platform] [--json]
                                         organization with an accepted ADMIN (idempotent per slug) + a fresh API key
  create-api-key --email <e> [--org <id>] [--json]
                                         a fresh API key for a user (created if missing)
  reencrypt-keys                         re-encrypt every stored secret (service account keys, webhook secrets,
                                         manual calendar keys) under the newest master key

Keys are shown once and stored only as hashes. --json prints one JSON object and nothing else on stdout
(through npm, add -s so npm's own banner stays off stdout: npm run -s cli -- create-org … --json).`;

function print(issued: IssuedCredentials, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(issued)}\n`);
    return;
  }
  const lines = [
    issued.organizationId !== undefined ? `organizationId: ${issued.organizationId}` : null,
    `userId:         ${issued.userId}`,
    `email:          ${issued.email}`,
    `apiKey:         ${issued.apiKey}   (shown once)`,
    issued.oauthClientId ? `oauthClientId:  ${issued.oauthClientId}` : null,
    issued.oauthClientSecret ? `oauthSecret:    ${issued.oauthClientSecret}   (shown once)` : null,
  ];
  process.stdout.write(`${lines.filter(Boolean).join('\n')}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      slug: { type: 'string' },
      'admin-email': { type: 'string' },
      email: { type: 'string' },
      org: { type: 'string' },
      platform: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!command || command === 'help' || command === '--help') {
    console.error(USAGE);
    return command ? 0 : 2;
  }
  await preflight({ database: true, redis: false });
  const app = await NestFactory.createApplicationContext(CliModule, { logger: false, abortOnError: false });
  try {
    switch (command) {
      case 'seed': {
        const { created } = await app.get(WorkspacePlatformsRepository).seedDefaults();
        console.error(
          created.length
            ? `Created workspace platforms: ${created.join(', ')}`
            : 'Workspace platforms already present',
        );
        return 0;
      }
      case 'create-org':
        print(
          await app.get(AdminBootstrapService).createOrg({
            slug: values.slug ?? '',
            adminEmail: values['admin-email'] ?? '',
            platform: values.platform ?? false,
          }),
          values.json ?? false,
        );
        return 0;
      case 'create-api-key': {
        const org = values.org === undefined ? undefined : Number(values.org);
        if (org !== undefined && !Number.isInteger(org)) throw new Error('--org must be an organization id');
        print(
          await app.get(AdminBootstrapService).createApiKey({ email: values.email ?? '', orgId: org }),
          values.json ?? false,
        );
        return 0;
      }
      case 'reencrypt-keys': {
        const keys = await app.get(DelegationCredentialsRepository).reencryptAll();
        const secrets = await app.get(WebhooksRepository).reencryptSecrets();
        const manual = await app.get(CalendarCredentialsRepository).reencryptManualKeys();
        console.error(
          `Re-encrypted under master key version ${app.get(KeyEncryptionService).currentVersion}: ` +
            `${keys} service account key(s), ${secrets} webhook secret(s), ${manual} manual calendar key(s)`,
        );
        return 0;
      }
      default:
        console.error(`Unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then((code) => process.exit(code), exitOnStartupError('CLI'));
