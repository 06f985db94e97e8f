# Troupe worker image: the compiled package with its workflows prebuilt, and the example teams.
#
# Build stage: install everything (the SDKs Troupe runs on are peer dependencies, which this
# repository installs as dev dependencies), compile to dist/ and prebuild the workflow bundle
# (dist/workflows.bundle.js), so the worker bundles nothing when it starts; then prune node_modules
# to the production dependencies and the peers, the only ones the runtime stage copies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build
# The examples import the sources (../src/...); in the image they use the compiled package, the one
# copy of Troupe the worker runs.
COPY examples ./examples
RUN sed -i -e "s#'../src/\([a-z]*\)/index.js'#'../dist/\1/index.js'#" examples/*.ts
# Production dependencies only from here on. The peers, the SDKs Troupe runs on, are dev dependencies
# of this repository (for its own tests): make them dependencies and drop the dev list, so the prune
# keeps them at their locked versions and removes the tools (TypeScript, ESLint, Vitest, ...). The
# worker needs none of those: it runs dist/ with the prebuilt workflow bundle, and the example teams
# load through tsx, a peer.
RUN node -e "const fs = require('fs'); const p = JSON.parse(fs.readFileSync('package.json', 'utf8')); p.dependencies = { ...p.dependencies, ...p.peerDependencies }; delete p.devDependencies; fs.writeFileSync('package.json', JSON.stringify(p, null, 2) + '\\n');" \
    && npm prune --omit=dev

# Runtime stage: no sources, so bin/troupe.js runs the compiled CLI (dist/cli/main.js).
FROM node:20-bookworm-slim
# The Temporal core bridge (Rust) verifies TLS against the system trust store when connecting to a
# TLS-enabled cluster such as Temporal Cloud; the slim image ships without one.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
# Where tool loops keep conversations (the payload store): a volume shared by every worker.
ENV TROUPE_HOME=/home/node/.troupe
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/examples ./examples
COPY bin ./bin
USER node
RUN mkdir -p /home/node/.troupe
CMD ["node", "bin/troupe.js", "worker"]
