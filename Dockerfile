# Troupe worker image: the compiled package with its workflows prebuilt, and the example teams.
#
# Build stage: install everything (the SDKs Troupe runs on are peer dependencies, which this
# repository installs as dev dependencies), compile to dist/ and prebuild the workflow bundle
# (dist/workflows.bundle.js), so the worker bundles nothing when it starts.
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
