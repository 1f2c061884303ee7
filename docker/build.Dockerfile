# The kit's shared build stage: the player page and every component's bundle (scripts/bundle.ts). The
# component images take their files from it (`COPY --from=build`), so the build runs once for all of them.
# scripts/build-images.sh builds it first and tags it pixelstream-build:<kit version>; it is never pushed.
#
#   docker build -f docker/build.Dockerfile -t pixelstream-build:0.1.0 .     (repository root as context)
#
# NODE_IMAGE (build arg): any image with node 24 and npm.
ARG NODE_IMAGE=node:24-bookworm-slim
FROM ${NODE_IMAGE}
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/bundle.ts ./scripts/
COPY common ./common
COPY player ./player
COPY signalserver ./signalserver
COPY router ./router
COPY streamer ./streamer
COPY turn ./turn
RUN node --import tsx player/build.ts && node --import tsx scripts/bundle.ts --outdir /out
