#!/usr/bin/env python3
"""Whole-process start-up and one-shot fill times of `formsmith` binaries (issue "Speed where
users feel it"): each command runs RUNS times after 3 warm-ups, spawned with posix_spawn and
reaped with wait4, so the wall time is the child's own (no shell) and the peak RSS its
ru_maxrss. Prints a markdown table, median of the runs.

    python3 bench/startup.py LABEL=path/to/formsmith [LABEL=path ...]

Run from the repository root (the fill uses examples/fw9.pdf and examples/fw9-values.json).
"""
import os
import statistics
import sys
import tempfile
import time

RUNS = 20


def run(argv, env):
    started = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=[
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ])
    _, status, usage = os.wait4(pid, 0)
    elapsed = (time.perf_counter() - started) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed")
    return elapsed, usage.ru_maxrss / 1024


def measure(argv, env):
    for _ in range(3):
        run(argv, env)
    samples = [run(argv, env) for _ in range(RUNS)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def main():
    binaries = [a.split("=", 1) for a in sys.argv[1:]]
    if not binaries:
        raise SystemExit(__doc__)
    out = tempfile.mkdtemp()
    env = {k: v for k, v in os.environ.items() if k != "OMP_THREAD_LIMIT"}
    commands = [
        ("--version", ["--version"]),
        ("--help", ["--help"]),
        ("fill fw9 (flatten)", ["fill", "examples/fw9.pdf", "--values", "examples/fw9-values.json",
                                "-o", os.path.join(out, "fw9.pdf"), "--flatten"]),
    ]
    print("| binary | " + " | ".join(f"{name}: ms, MiB" for name, _ in commands) + " |")
    print("|---|" + "---:|" * len(commands))
    for label, path in binaries:
        cells = []
        for _, args in commands:
            ms, mib = measure([os.path.abspath(path)] + args, env)
            cells.append(f"{ms:.1f}, {mib:.1f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
