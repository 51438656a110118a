#!/usr/bin/env python3
"""Time commands alternately and report medians and peak memory.

    measure.py RUNS NAME=COMMAND [NAME=COMMAND ...]

Each COMMAND is run through /bin/sh, RUNS times, the commands taking turns
so that a slow moment of the machine hits all of them alike. Prints one
line per command: median and p90 wall time in ms, and peak RSS in KiB (the
largest of any run), then the ratio of each median to the first one's.
A command that exits non-zero is reported and stops the measurement.
"""
import os
import resource
import statistics
import subprocess
import sys
import time


def run_once(cmd):
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        if not os.environ.get("BENCH_STDERR"):
            os.dup2(devnull, 2)
        os.execv("/bin/sh", ["sh", "-c", cmd])
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t0
    return dt, os.waitstatus_to_exitcode(status), ru.ru_maxrss


def main():
    runs = int(sys.argv[1])
    cmds = [a.split("=", 1) for a in sys.argv[2:]]
    times = {n: [] for n, _ in cmds}
    rss = {n: 0 for n, _ in cmds}
    for n, c in cmds:  # warm-up: caches, connections, page cache
        _, rc, _ = run_once(c)
        if rc != 0:
            print(f"{n}: exits {rc}; not measured: {c}")
            return 1
    for _ in range(runs):
        for n, c in cmds:
            dt, rc, m = run_once(c)
            if rc != 0:
                print(f"{n}: exited {rc} during the run")
                return 1
            times[n].append(dt * 1000)
            rss[n] = max(rss[n], m)
    base = statistics.median(times[cmds[0][0]])
    for n, _ in cmds:
        t = sorted(times[n])
        med = statistics.median(t)
        p90 = t[min(len(t) - 1, int(len(t) * 0.9))]
        ratio = med / base if base else 0
        print(f"{n:24s} median {med:8.2f} ms  p90 {p90:8.2f} ms  "
              f"peak RSS {rss[n]:7d} KiB  x{ratio:.2f} of {cmds[0][0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
