#!/bin/sh
# Stands in for a packaged Unreal launcher (<PROJECT>.sh) where no Unreal build exists, so the wrapper image
# can be built and run: it prints the flags launch.sh gave it, then idles until SIGTERM and exits 0.
echo "stand-in app started with: $*"
trap 'echo "stand-in app: SIGTERM, exiting"; exit 0' TERM INT
while :; do sleep 1; done
