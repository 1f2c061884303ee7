#!/bin/sh
# Runs a GPU/X11 application on a virtual display and streams that display:
#   x11-session <app> [args...]
# Starts Xvfb on $DISPLAY_NUM (default 99) at $STREAM_WIDTH x $STREAM_HEIGHT, the app, then the streamer
# capturing the display (STREAM_SOURCE=x11::N). When any of them exits, the others are stopped.
set -eu
n="${DISPLAY_NUM:-99}"
w="${STREAM_WIDTH:-1280}"
h="${STREAM_HEIGHT:-720}"
Xvfb ":$n" -screen 0 "${w}x${h}x24" -nolisten tcp &
xpid=$!
export DISPLAY=":$n"
i=0
while [ ! -e "/tmp/.X11-unix/X$n" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
"$@" &
apid=$!
STREAM_SOURCE="x11::$n" node "${STREAMER_MAIN:-/app/main.mjs}" &
spid=$!
trap 'kill "$spid" "$apid" "$xpid" 2>/dev/null' TERM INT
# POSIX sh has no `wait -n`: poll until one of the three is gone.
while kill -0 "$spid" 2>/dev/null && kill -0 "$apid" 2>/dev/null && kill -0 "$xpid" 2>/dev/null; do sleep 1; done
kill "$spid" "$apid" "$xpid" 2>/dev/null || true
wait
