#!/usr/bin/python3
"""A minimal SORT-style radar tracker, the peer avfusion's dense replay is
measured against (ros/replay BenchmarkReplayDense).

It reads a bag's sensor_msgs/PointCloud2 radar clouds (fields x, y,
velocity) with the rosbag module, clusters each frame's points with a
k-d tree (points within EPS metres and DOPPLER_EPS m/s of each other join
one cluster), tracks the cluster centroids with a constant-velocity
Kalman filter per track in numpy, associates by Euclidean distance with
scipy's linear_sum_assignment, and prints one line of JSON: frames,
points, tracks at the end and the seconds it took.

Usage: sort_peer.py BAG [TOPIC]
"""
import json
import sys
import time

import numpy as np
import rosbag
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

EPS, DOPPLER_EPS, GATE, MAX_AGE, DT = 1.5, 1.0, 4.0, 10, 0.05


def points(msg):
    """The cloud's x, y and velocity columns (little-endian float32)."""
    off = {f.name: f.offset for f in msg.fields}
    raw = np.frombuffer(msg.data, dtype=np.uint8).reshape(-1, msg.point_step)
    col = lambda name: raw[:, off[name]:off[name] + 4].copy().view('<f4').ravel()
    return np.stack([col('x'), col('y'), col('velocity')], axis=1).astype(np.float64)


def clusters(pts):
    """Centroids of the points' connected components."""
    if len(pts) == 0:
        return np.zeros((0, 2))
    pairs = cKDTree(pts[:, :2]).query_pairs(EPS, output_type='ndarray')
    if len(pairs):
        pairs = pairs[np.abs(pts[pairs[:, 0], 2] - pts[pairs[:, 1], 2]) < DOPPLER_EPS]
    n = len(pts)
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])) if len(pairs) else ([], ([], [])), shape=(n, n))
    k, labels = connected_components(graph, directed=False)
    sums = np.zeros((k, 2))
    np.add.at(sums, labels, pts[:, :2])
    return sums / np.bincount(labels, minlength=k)[:, None]


class Track:
    F = np.array([[1, 0, DT, 0], [0, 1, 0, DT], [0, 0, 1, 0], [0, 0, 0, 1]], float)
    H = np.array([[1, 0, 0, 0], [0, 1, 0, 0]], float)
    Q = np.diag([0.01, 0.01, 0.5, 0.5])
    R = np.eye(2) * 0.25

    def __init__(self, z):
        self.x = np.array([z[0], z[1], 0, 0], float)
        self.P = np.diag([1, 1, 25, 25]).astype(float)
        self.age = 0

    def predict(self):
        self.x = self.F @ self.x
        self.P = self.F @ self.P @ self.F.T + self.Q
        self.age += 1

    def update(self, z):
        S = self.H @ self.P @ self.H.T + self.R
        K = self.P @ self.H.T @ np.linalg.inv(S)
        self.x = self.x + K @ (z - self.H @ self.x)
        self.P = (np.eye(4) - K @ self.H) @ self.P
        self.age = 0


def main():
    path = sys.argv[1]
    topic = sys.argv[2] if len(sys.argv) > 2 else '/radar/points'
    began = time.perf_counter()
    tracks, frames, npoints = [], 0, 0
    for _, msg, _ in rosbag.Bag(path).read_messages(topics=[topic]):
        pts = points(msg)
        frames, npoints = frames + 1, npoints + len(pts)
        zs = clusters(pts)
        for t in tracks:
            t.predict()
        used = set()
        if tracks and len(zs):
            pred = np.array([t.x[:2] for t in tracks])
            cost = np.linalg.norm(pred[:, None, :] - zs[None, :, :], axis=2)
            rows, cols = linear_sum_assignment(cost)
            for r, c in zip(rows, cols):
                if cost[r, c] <= GATE:
                    tracks[r].update(zs[c])
                    used.add(c)
        tracks = [t for t in tracks if t.age <= MAX_AGE]
        tracks += [Track(z) for i, z in enumerate(zs) if i not in used]
    print(json.dumps({'frames': frames, 'points': npoints, 'tracks': len(tracks), 'seconds': time.perf_counter() - began}))


if __name__ == '__main__':
    main()
