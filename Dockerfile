# syntax=docker/dockerfile:1
#
# Atelier image: API + web dashboard (default command) or background workers
# (`node server/src/entry/cli.ts worker`). The server is TypeScript run directly by Node 24's type
# stripping, so only the web dashboard has a build step.
#
#   docker build -t atelier .
#   docker run --init -p 127.0.0.1:8080:8080 -e ATELIER_MASTER_KEY="$(openssl rand -base64 32)" \
#     -e DATABASE_URL=postgres://... atelier
#
# NODE_ENV is production in this image, so ATELIER_MASTER_KEY must be set (see .env.example).
# The worker command has no HTTP port: give it its own healthcheck (deploy/docker-compose.yml does)
# or run it with --no-healthcheck.

ARG NODE_IMAGE=node:24-slim

# ---- build: every dependency (dev included) and the web dashboard -> web/dist --------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Manifests first, so the dependency layer stays cached until they change.
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY web/package.json web/
RUN npm ci
COPY . .
RUN npm run build -w web

# ---- prod-deps: the server's runtime dependencies only ---------------------------------------------
# `--workspace server --omit=dev` leaves out the web toolchain, vitest, typescript and the `node`
# devDependency (the base image already is Node 24).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY web/package.json web/
RUN npm ci --omit=dev --workspace server \
 && mkdir -p server/node_modules \
 && npm cache clean --force

# ---- runtime -----------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="Atelier" \
      org.opencontainers.image.description="Self-hosted studio for AI-generated creator personas" \
      org.opencontainers.image.licenses="AGPL-3.0-only"

# npm/npx/corepack are not needed to run the server; dropping them shrinks the image and its CVE surface.
# ffmpeg (clips, audio), espeak-ng (the local voice) and DejaVu (captions, watermarks) for the studio.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg espeak-ng fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack \
 && mkdir -p /data \
 && chown node:node /data

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    ATELIER_DATA_DIR=/data

WORKDIR /app
# Code and dependencies stay owned by root (read-only for the app user); only /data is writable.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=prod-deps /app/server/node_modules ./server/node_modules
COPY package.json ./
COPY server/package.json ./server/
COPY server/src ./server/src
COPY --from=build /app/web/dist ./web/dist

USER node
EXPOSE 8080

# node:24-slim has no curl: probe /healthz with Node's own fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

CMD ["node", "server/src/entry/start.ts"]
