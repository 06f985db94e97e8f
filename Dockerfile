# Troupe worker image.
#
# The project runs its TypeScript sources directly through tsx (a runtime
# dependency), so there is no build stage: install production dependencies,
# copy the sources, run.
FROM node:20-bookworm-slim

# The Temporal core bridge (Rust) verifies TLS against the system trust store
# when connecting to a TLS-enabled cluster such as Temporal Cloud; the slim
# image ships without one.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app

# Dependencies first, so source edits do not invalidate the npm layer.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY examples ./examples

# Sources stay root-owned (read-only to the app); only the state directory the
# CLI may write to (TROUPE_HOME, default ./.troupe) belongs to the runtime user.
RUN mkdir -p /app/.troupe && chown node:node /app/.troupe

USER node

CMD ["node", "bin/troupe.js", "worker"]
