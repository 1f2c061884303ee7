#!/bin/sh
# Example processing function in plain shell: inverts every byte of every frame (rgb24, yuv420p or gray:
# for rgb24 and gray that is the photographic negative). Frames in on stdin, out on stdout; no results.
# STREAM_SOURCE='process:exec:sh streamer/processing/examples/invert.sh'
# tr refuses a descending range ('\377-\000'), so the second set is spelt out: byte n becomes 255 - n.
exec tr '\000-\377' "$(awk 'BEGIN { for (i = 255; i >= 0; i--) printf "\\%03o", i }')"
