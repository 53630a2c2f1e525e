#!/usr/bin/env python3
"""bench/runstat.py - run a command N times; print its median wall time,
median CPU time (user + system, children included) in ms and its peak RSS
in KiB, as "WALL CPU RSS" on one line.

    runstat.py N CMD [ARG...]

Output of the command goes to /dev/null; its exit status is ignored (the
bench measures, it does not judge). getrusage() gives microseconds, which
/usr/bin/time (10 ms steps) does not.
"""
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def one(cmd):
    # Peak RSS from GNU time: a child forked from this python would carry
    # python's own pages in its ru_maxrss until it execs.
    rssfile = tempfile.NamedTemporaryFile(mode="r", suffix=".rss")
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rssfile.name] + cmd
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.waitpid(p.pid, 0)
    wall = (time.monotonic() - t0) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The difference of RUSAGE_CHILDREN covers every process the command
    # waited for (a shell's commands too).
    cpu = ((after.ru_utime - before.ru_utime) +
           (after.ru_stime - before.ru_stime)) * 1000
    rss = int(rssfile.read().split()[-1] or 0)
    rssfile.close()
    return wall, cpu, rss


def main():
    n = int(sys.argv[1])
    cmd = sys.argv[2:]
    runs = [one(cmd) for _ in range(n)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    rss = max(r[2] for r in runs)
    print(f"{wall:.0f} {cpu:.1f} {rss}")


if __name__ == "__main__":
    main()
