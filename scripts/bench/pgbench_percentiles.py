#!/usr/bin/env python3
"""Prints count, mean, p50, p99 and max latency (ms) of pgbench --log files.

The third column of a pgbench transaction log line is the latency in microseconds.
"""
import sys

lat = []
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 3:
                lat.append(int(parts[2]))
if not lat:
    sys.exit("no transactions logged")
lat.sort()
at = lambda p: lat[min(int(len(lat) * p), len(lat) - 1)] / 1000.0
print(f"n={len(lat)} mean={sum(lat) / len(lat) / 1000.0:.3f}ms p50={at(0.50):.3f}ms "
      f"p99={at(0.99):.3f}ms max={lat[-1] / 1000.0:.3f}ms")
