# Build stage: argon2 compiles from source, so the toolchain is only here.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY client/package.json client/
COPY sync-server/package.json sync-server/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
RUN useradd --system --uid 10001 mymidas && mkdir -p /app/data && chown -R mymidas /app/data
USER mymidas
EXPOSE 8090
CMD ["node", "--import", "tsx", "sync-server/src/start.ts"]
