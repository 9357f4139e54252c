#!/usr/bin/python3
"""Checks a bag recorded from a running avfusion node with the real rosbag
module: message types and MD5 sums, frame ids, increasing stamps, and track
ids that stay stable and move continuously across messages.

usage: check_bag.py BAG FRAME_ID
Prints a JSON summary on success; exits 1 with the failed checks otherwise.
"""
import json
import math
import sys

import rosbag

bag_path, frame = sys.argv[1], sys.argv[2]
want_types = {
    "/obstacles": ("vision_msgs/Detection3DArray", None),
    "/obstacles/tracks": ("derived_object_msgs/ObjectWithCovarianceArray", "59dfdf4ed3407a2558ccbc7f5732bf46"),
}
failures = []
bag = rosbag.Bag(bag_path)
info = bag.get_type_and_topic_info()
for topic, (typ, md5) in want_types.items():
    t = info.topics.get(topic)
    if t is None:
        failures.append("topic %s not recorded" % topic)
        continue
    if t.msg_type != typ:
        failures.append("%s has type %s, want %s" % (topic, t.msg_type, typ))
    if md5:
        for _, raw, _ in bag.read_messages(topics=[topic], raw=True):
            if raw[2] != md5:
                failures.append("%s has md5 %s, want %s" % (topic, raw[2], md5))
            break
    if t.message_count < 50:
        failures.append("%s has only %d messages" % (topic, t.message_count))

last_stamp = {}
runs = {}       # track id -> current run of consecutive messages
best_run = {}
prev_pos = {}
jumps = 0
tracks_msgs = 0
max_tracks = 0
prev_ids = set()
for topic, msg, _ in bag.read_messages(topics=list(want_types)):
    stamp = msg.header.stamp.to_sec()
    if msg.header.frame_id != frame:
        failures.append("%s frame_id %r, want %r" % (topic, msg.header.frame_id, frame))
        break
    if topic in last_stamp and stamp <= last_stamp[topic]:
        failures.append("%s stamps not increasing: %f after %f" % (topic, stamp, last_stamp[topic]))
        break
    last_stamp[topic] = stamp
    if topic != "/obstacles/tracks":
        continue
    tracks_msgs += 1
    ids = set()
    for o in msg.objects:
        if o.header.frame_id != frame:
            failures.append("object frame_id %r" % o.header.frame_id)
        ids.add(o.id)
        p = o.pose.pose.position
        if o.id in prev_pos and o.id in prev_ids:
            if math.hypot(p.x - prev_pos[o.id][0], p.y - prev_pos[o.id][1]) > 3.0:
                jumps += 1
        prev_pos[o.id] = (p.x, p.y)
    if len(ids) != len(msg.objects):
        failures.append("duplicate track ids in one message")
    for i in ids:
        runs[i] = runs.get(i, 0) + 1 if i in prev_ids else 1
        best_run[i] = max(best_run.get(i, 0), runs[i])
    prev_ids = ids
    max_tracks = max(max_tracks, len(ids))

stable = sorted(i for i, n in best_run.items() if n >= 40)
if not stable:
    failures.append("no track id lasted 40 consecutive messages (longest %s)" % max(best_run.values() or [0]))
if jumps:
    failures.append("%d track positions jumped more than 3 m between messages" % jumps)
summary = {"messages": {t: info.topics[t].message_count for t in info.topics},
           "track_messages": tracks_msgs, "max_tracks": max_tracks,
           "stable_ids": len(stable), "longest_run": max(best_run.values() or [0])}
if failures:
    print("\n".join(failures), file=sys.stderr)
    print(json.dumps(summary), file=sys.stderr)
    sys.exit(1)
print(json.dumps(summary))
