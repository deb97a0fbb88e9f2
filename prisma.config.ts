import 'dotenv/config';
import { defineConfig } from 'prisma/config';

// Read by the ordinary Prisma CLI (online). Offline, scripts/prisma-wasm.mjs applies the same migrations.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // `prisma generate` needs no database, so DATABASE_URL is only required by commands that connect.
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
