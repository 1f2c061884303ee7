# Image of a kit service that is node and nothing else — the signalling sidecar and the session router: its
# bundle (scripts/bundle.ts) plus the player page it serves, on a base that holds node and its C libraries
# only (distroless), run as an unprivileged user. One file for both; the build args say which:
#
#   COMPONENT=signalserver PORTS="8080 8888 9000"     (player, streamer, metrics)
#   COMPONENT=router       PORTS="8080 9000"          (players, metrics)
#
# scripts/build-images.sh passes them (and builds the shared stage BUILD_IMAGE first, docker/build.Dockerfile):
#   scripts/build-images.sh signalserver router
# Run the sidecar next to a streamer:  docker run -p 8080:8080 -p 9000:9000 pixelstream-signalserver:0.1.0
#   (its streamer port, 8888, binds to 127.0.0.1 by default: in a pod the streamer shares the loopback; to
#   reach it from another container outside a pod, set STREAMER_HOST=0.0.0.0 and STREAMER_TOKEN)
# Run the router:  docker run -e ROUTER_TOKEN=… -e SIDECAR_URLS=http://sidecar:8080 -p 8080:8080 pixelstream-router:0.1.0
#   (in a cluster set DISCOVERY=kubernetes and POD_NAMESPACE; its service account needs list/watch on pods)
#
# RUNTIME_IMAGE must have node at /nodejs/bin/node, as Google's distroless Node.js images do.

ARG BUILD_IMAGE=pixelstream-build:0.1.0
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build

FROM ${RUNTIME_IMAGE}
ARG COMPONENT
ARG PORTS
COPY --from=build /out/${COMPONENT} /app
COPY --from=build /src/player/build /app/player
# Memory (measured with `npm run bench:footprint`, see bench/results.md): a young generation of 1 MB
# semi-spaces instead of V8's default of up to 16 MB, at most two malloc arenas, and freed malloc memory
# handed back to the system above 128 KiB. The listening ports are the services' defaults.
ENV NODE_ENV=production PLAYER_PAGE_DIR=/app/player NODE_COMPILE_CACHE=/app/compile-cache \
    NODE_OPTIONS=--max-semi-space-size=1 MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072
# Compile the bundle once here (a start with ephemeral ports, stopped when listening): every container start
# then reads V8's code cache instead of compiling the whole bundle again. (It runs with the NODE_OPTIONS
# above: V8 only accepts a cache made with the same flags.)
COPY scripts/warm-compile-cache.mjs /tmp/warm-compile-cache.mjs
USER 0:0
RUN ["/nodejs/bin/node", "/tmp/warm-compile-cache.mjs", "/app/main.mjs", "/app/compile-cache"]
# 65532: an unprivileged id with no home and no shell; ports above 1024 need no capability.
USER 65532:65532
EXPOSE ${PORTS}
# SIGTERM reaches node directly (exec form): it drains, then exits 0.
ENTRYPOINT ["/nodejs/bin/node", "/app/main.mjs"]
CMD []
