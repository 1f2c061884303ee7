#!/bin/sh
# Example processing function in plain shell: inverts every byte of every frame (rgb24, yuv420p or gray:
# for rgb24 and gray that is the photographic negative). Frames in on stdin, out on stdout; no results.
# STREAM_SOURCE='process:exec:sh streamer/processing/examples/invert.sh'
exec tr '\000-\377' '\377-\000'
