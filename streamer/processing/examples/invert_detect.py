#!/usr/bin/env python3
"""Example processing function: inverts every frame and reports where the bright part of the picture is.

Frames: raw rgb24 (PROCESS_PIXEL_FORMAT=rgb24, the default), FRAME_WIDTH x FRAME_HEIGHT, FRAME_BYTES bytes
each, on stdin; the inverted frames go to stdout in the same format. Once a second (FRAME_FPS frames) a
detection-style result goes out as one JSON line on fd 3, the results side channel:
  {"type": "detection", "label": "bright", "frame": 30, "box": [x, y, w, h], "share": 0.97, "mean": [r, g, b]}
Run by the streamer as STREAM_SOURCE='process:exec:python3 streamer/processing/examples/invert_detect.py'.
"""
import json
import os
import sys

import numpy as np

width = int(os.environ["FRAME_WIDTH"])
height = int(os.environ["FRAME_HEIGHT"])
every = max(1, int(os.environ.get("FRAME_FPS", "30")))
if os.environ.get("FRAME_FORMAT", "rgb24") != "rgb24":
    sys.exit("invert_detect.py needs PROCESS_PIXEL_FORMAT=rgb24")
size = width * height * 3
frames_in = sys.stdin.buffer
frames_out = sys.stdout.buffer
try:
    results = os.fdopen(3, "w", buffering=1)
except OSError:  # run by hand without fd 3: results to stderr
    results = sys.stderr


def bright_box(frame):
    """The box around pixels whose brightest channel is above the middle, and their share of the frame."""
    mask = frame.max(axis=2) > 127
    if not mask.any():
        return None, 0.0
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    box = [int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]
    return box, float(mask.mean())


n = 0
while True:
    data = frames_in.read(size)
    if len(data) < size:
        break  # the streamer closed the session
    frame = np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)
    frames_out.write((255 - frame).tobytes())
    frames_out.flush()
    n += 1
    if n % every == 0:
        box, share = bright_box(frame)
        mean = [round(float(c)) for c in frame.reshape(-1, 3).mean(axis=0)]
        result = {"type": "detection", "label": "bright", "frame": n, "box": box, "share": round(share, 3)}
        results.write(json.dumps({**result, "mean": mean}) + "\n")
