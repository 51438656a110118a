#!/usr/bin/env python3
"""Time commands alternately and report medians and peak memory.

    measure.py [--summary] RUNS NAME=COMMAND [NAME=COMMAND ...]

Each COMMAND is run RUNS times, the commands taking turns so that a slow
moment of the machine hits all of them alike; a COMMAND without shell
syntax is executed directly, any other through /bin/sh. Prints one line
per command: median and p90 wall time in ms, and peak RSS in KiB, then the
ratio of each median to the first one's. A command that exits non-zero is
reported and stops the measurement.

--summary adds the ratios make bench reports for verify (see summary()),
from the commands named signet-tag, signet-digest, cosign-tag,
notation-digest, curl-replay-tag, curl-replay-digest and floor (those
given).

Peak RSS is measured in one more run under /usr/bin/time: a child forked
from this Python process would count Python's own pages as its peak.
"""
import os
import shlex
import statistics
import subprocess
import sys
import time

# ("=" is no shell syntax in an argument: --flag=value runs directly)
SHELL_SYNTAX = set("|&;<>()$`\\\"'*?[#~%{}")


def argv_of(cmd):
    if SHELL_SYNTAX.intersection(cmd):
        return ["/bin/sh", "-c", cmd]
    return shlex.split(cmd)


DEVNULL = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
if not os.environ.get("BENCH_STDERR"):
    DEVNULL.append((os.POSIX_SPAWN_DUP2, 1, 2))


def run_once(cmd):
    """posix_spawn (vfork): a fork would copy this Python process first,
    a cost of its own that every command would carry."""
    argv = argv_of(cmd)
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=DEVNULL)
    _, status = os.waitpid(pid, 0)
    dt = time.perf_counter() - t0
    return dt, os.waitstatus_to_exitcode(status)


def peak_rss(cmd):
    """KiB, or 0 when /usr/bin/time is missing."""
    if not os.path.exists("/usr/bin/time"):
        return 0
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv_of(cmd),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True)
    last = r.stderr.strip().splitlines()[-1:] or ["0"]
    return int(last[0]) if last[0].isdigit() else 0


def summary(med):
    """Each signet verify against its limit, the floor's start plus the
    registry's own time for the same requests (BENCH_REGISTRY_TAG_MS,
    BENCH_REGISTRY_DIGEST_MS: curl's time_total summed over them), and
    against the whole curl process that replays them; then against its
    peer."""
    floor = med.get("floor")
    for how, peer in (("tag", "cosign-tag"), ("digest", "notation-digest"),
                      ("keyless-tag", "cosign-keyless-tag")):
        v = med.get(f"signet-{how}")
        replay = med.get(f"curl-replay-{how}")
        reg = os.environ.get(f"BENCH_REGISTRY_{how.upper()}_MS")
        if v is None:
            continue
        if how.startswith("keyless") and "signet-key-tag" in med:
            print(f"keyless verify by tag / key verify by tag:"
                  f" x{v / med['signet-key-tag']:.2f}")
        if floor is not None and reg:
            reg = float(reg)
            print(f"verify by {how}: x{v / (floor + reg):.2f} of floor +"
                  f" registry time ({floor:.2f} + {reg:.2f} ms; goal"
                  " <= 1.3)", end="")
            if replay is not None:
                print(f"; x{v / (floor + replay):.2f} of floor + the whole"
                      f" curl replay ({replay:.2f} ms)", end="")
            print()
        if peer in med:
            print(f"verify by {how} / {peer}: x{v / med[peer]:.2f}"
                  f" ({peer} takes x{med[peer] / v:.1f})")


def main():
    args = sys.argv[1:]
    want_summary = args[:1] == ["--summary"]
    if want_summary:
        args = args[1:]
    runs = int(args[0])
    cmds = [a.split("=", 1) for a in args[1:]]
    times = {n: [] for n, _ in cmds}
    rss = {n: 0 for n, _ in cmds}
    for n, c in cmds:  # warm-up: caches, connections, page cache
        _, rc = run_once(c)
        if rc != 0:
            print(f"{n}: exits {rc}; not measured: {c}")
            return 1
        rss[n] = peak_rss(c)
    for _ in range(runs):
        for n, c in cmds:
            dt, rc = run_once(c)
            if rc != 0:
                print(f"{n}: exited {rc} during the run")
                return 1
            times[n].append(dt * 1000)
    base = statistics.median(times[cmds[0][0]])
    med = {}
    for n, _ in cmds:
        t = sorted(times[n])
        med[n] = statistics.median(t)
        p90 = t[min(len(t) - 1, int(len(t) * 0.9))]
        ratio = med[n] / base if base else 0
        print(f"{n:24s} median {med[n]:8.2f} ms  p90 {p90:8.2f} ms  "
              f"peak RSS {rss[n]:7d} KiB  x{ratio:.2f} of {cmds[0][0]}")
    if want_summary:
        summary(med)
    return 0


if __name__ == "__main__":
    sys.exit(main())
