# syntax=docker/dockerfile:1
# The ai-scale server image: one image, three roles. `ROLE=api|worker|all` picks the role at start
# (see docs/deployment.md). Build from the repository root:
#   docker build -t ai-scale:local .
#   docker run --rm -p 3000:3000 -e ROLE=all ai-scale:local

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
# manifests: only package.json files and the lock, so the `npm ci` layer below is rebuilt only
# when a dependency changes, not when a source file does.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find packages apps infra -name package.json -not -path '*/node_modules/*' \
      -exec sh -c 'mkdir -p "/manifests/$(dirname "$1")" && cp "$1" "/manifests/$1"' _ {} \;

# ---------------------------------------------------------------------------------------------
# deps: every workspace's dependencies from the lock. better-sqlite3 12 compiles from source on
# Node 20 (python3, make, g++). Never --omit=optional: it would drop the native packages of
# LanceDB, swc and turbo.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV TURBO_TELEMETRY_DISABLED=1 SCARF_ANALYTICS=false npm_config_fund=false npm_config_audit=false
# The lock was written by npm 11 (root `packageManager`); use the same client.
RUN npm install -g npm@11.19.1
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci

# ---------------------------------------------------------------------------------------------
# build: compile the server and what it depends on with turbo, drop dev dependencies, then stage
# only what runs in production (package.json + dist of each workspace, node_modules) in /prod.
FROM deps AS build
COPY . .
RUN npx turbo run build --filter=@ai-scale/server... --output-logs=errors-only \
 && npm prune --omit=dev \
 && sh infra/docker/stage-production.sh /app /prod

# ---------------------------------------------------------------------------------------------
# runtime: no compiler, no sources, no dev dependencies; files owned by root and read-only for
# the `node` user (uid 1000) the process runs as. Only DATA_DIR is writable.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data \
 && chown node:node /data
ENV NODE_ENV=production \
    ROLE=all \
    PORT=3000 \
    DATA_DIR=/data \
    LANCE_CPU_THREADS=2 \
    LANCEDB_LOG=error
WORKDIR /app
COPY --from=build /prod/ ./
USER node
EXPOSE 3000
VOLUME ["/data"]
# Liveness only: readiness (/health/ready) depends on Redis/PostgreSQL and belongs to the orchestrator.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/live').then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))"]
# tini forwards SIGTERM to node (PID 1 would ignore it without a handler) so the worker drains.
ENTRYPOINT ["tini", "--"]
CMD ["node", "apps/server/dist/main.js"]
