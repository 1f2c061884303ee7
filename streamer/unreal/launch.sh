#!/bin/sh
# Starts a packaged Unreal Engine Pixel Streaming app so it registers with the sidecar in the same pod: the
# sidecar's URL and token come from the same env as the reference streamer (STREAMER_URL, STREAMER_TOKEN),
# and the command-line flags follow the engine generation (UE_VERSION). Extra arguments are passed on.
# Every configuration problem is listed at once, with exit code 2.
set -u

url="${STREAMER_URL:-ws://127.0.0.1:8888}"
version="${UE_VERSION:-5.5}"
problems=""
problem() { problems="${problems}  - $1
"; }

[ -n "${PROJECT:-}" ] || problem "PROJECT: unset; the name of the packaged launcher (<PROJECT>.sh)"
[ -z "${PROJECT:-}" ] || [ -x "./${PROJECT}.sh" ] || problem "PROJECT=${PROJECT}: ./${PROJECT}.sh not found or not executable in $(pwd)"

case "$url" in
  ws://*:*|wss://*:*) ;;
  *) problem "STREAMER_URL=${url}: must be ws://host:port or wss://host:port" ;;
esac
case "$url" in *\?*) problem "STREAMER_URL=${url}: no query string; the token goes in STREAMER_TOKEN" ;; esac

# Unreal cannot send headers, so the token travels in the URL: only characters that need no escaping.
token="${STREAMER_TOKEN:-}"
if [ -n "$token" ]; then
  case "$token" in *[!A-Za-z0-9._~-]*) problem "STREAMER_TOKEN: only letters, digits and . _ ~ - can travel in Unreal's URL" ;; esac
fi

case "$version" in
  4.26|4.27) generation=4 ;;
  5.0|5.1|5.2|5.3|5.4) generation=5.0 ;;
  5.[5-9]|5.[1-9][0-9]) generation=5.5 ;;
  *) generation=""; problem "UE_VERSION=${version}: must be 4.26, 4.27 or 5.0 to 5.x" ;;
esac
if [ "$generation" = 4 ] && [ -n "$token" ]; then
  problem "UE_VERSION=${version}: UE 4 connects with -PixelStreamingIP/-PixelStreamingPort and cannot present STREAMER_TOKEN; run its pool without a streamer token (STREAMER_TOKEN_REQUIRED=false in the kit's .env; the streamer port listens on the pod's loopback only)"
fi
case "${RES_X:-1920}x${RES_Y:-1080}" in
  *[!0-9x]*|x*|*x) problem "RES_X/RES_Y=${RES_X:-}x${RES_Y:-}: must be whole numbers" ;;
esac

if [ -n "$problems" ]; then
  printf 'unreal launch: invalid configuration:\n%s' "$problems" >&2
  exit 2
fi

with_token="$url"
[ -z "$token" ] || with_token="${url}?token=${token}"
case "$generation" in
  4)
    hostport="${url#*://}"
    hostport="${hostport%%/*}"
    set -- -PixelStreamingIP="${hostport%:*}" -PixelStreamingPort="${hostport##*:}" "$@" ;;
  5.0) set -- -PixelStreamingURL="$with_token" "$@" ;;
  5.5) set -- -PixelStreamingConnectionURL="$with_token" "$@" ;;
esac
# UE_EXTRA_ARGS is split on spaces on purpose: it holds several flags.
# shellcheck disable=SC2086
exec "./${PROJECT}.sh" -RenderOffscreen -Unattended -ForceRes -ResX="${RES_X:-1920}" -ResY="${RES_Y:-1080}" \
  -AllowPixelStreamingCommands=false -PixelStreamingID="${STREAMER_ID:-DefaultStreamer}" ${UE_EXTRA_ARGS:-} "$@"
