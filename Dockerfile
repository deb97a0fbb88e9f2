# Build: dependencies (install scripts off: the sources are not there yet), offline-safe Prisma client, compile.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund --ignore-scripts
COPY . .
RUN node scripts/prisma-generate.mjs && npm run build

# The compose demo story (demo profile): needs the dev dependencies (ts-node) and the demo/ folder.
FROM build AS demo
ENTRYPOINT ["sh", "scripts/docker-entrypoint.sh"]
CMD ["node", "demo/index.cjs", "--once"]

FROM build AS prune
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# Runtime: the API (default command), the worker (`node dist/worker`), the CLI (`node dist/cli.js`), migrations
# (`node scripts/prisma-wasm.mjs deploy`) and the provider sandbox (`node dist/sandbox/main.js`). No secret inside.
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY --from=prune /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts
COPY package.json prisma.config.ts ./
# Where compose keeps the generated master key (a named volume takes this folder's owner on first use).
RUN mkdir -p /secrets && chown node:node /secrets
USER node
EXPOSE 3000
ENTRYPOINT ["sh", "scripts/docker-entrypoint.sh"]
CMD ["node", "dist/main"]
