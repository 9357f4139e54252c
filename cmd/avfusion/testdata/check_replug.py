#!/usr/bin/python3
"""Checks a bag recorded around a radar unplug and replug: radar points
stop and resume, /diagnostics reports the radar lost (ERROR) and back (OK),
and tracks are published again after the replug.

usage: check_replug.py BAG
"""
import json
import sys

import rosbag

bag = rosbag.Bag(sys.argv[1])
points = [t.to_sec() for _, _, t in bag.read_messages(topics=["/radar/points"])]
failures = []
if len(points) < 40:
    failures.append("only %d radar point clouds" % len(points))
gaps = [b - a for a, b in zip(points, points[1:])]
gap_at = max(range(len(gaps)), key=lambda i: gaps[i]) if gaps else 0
gap = gaps[gap_at] if gaps else 0
after = len(points) - gap_at - 1
if gap < 1.0 or after < 20:
    failures.append("no unplug gap with frames after it (gap %.2f s, %d after)" % (gap, after))
resumed_at = points[gap_at + 1] if gaps else 0

levels = []  # (time, level, message) of the radar device status
for _, msg, t in bag.read_messages(topics=["/diagnostics"]):
    for s in msg.status:
        if s.name.endswith(": radar") and s.hardware_id == "radar":
            levels.append((t.to_sec(), s.level, s.message))
lost = [l for l in levels if l[1] == 2 and "disconnected" in l[2]]
back = [l for l in levels if l[1] == 0 and lost and l[0] > lost[-1][0]]
if not lost:
    failures.append("diagnostics never reported the radar lost: %s" % levels)
if not back:
    failures.append("diagnostics never reported the radar back: %s" % levels)

tracked_after = 0
for _, msg, t in bag.read_messages(topics=["/obstacles/tracks"]):
    if t.to_sec() > resumed_at + 1 and len(msg.objects) > 0:
        tracked_after += 1
if tracked_after < 10:
    failures.append("only %d track messages with objects after the replug" % tracked_after)

summary = {"radar_clouds": len(points), "gap_s": round(gap, 2), "clouds_after": after,
           "lost_reports": len(lost), "back_reports": len(back), "tracked_after": tracked_after}
if failures:
    print("\n".join(failures), file=sys.stderr)
    print(json.dumps(summary), file=sys.stderr)
    sys.exit(1)
print(json.dumps(summary))
