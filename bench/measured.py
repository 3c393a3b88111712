"""Run a command and measure it: wall time, CPU time, peak memory, exit code.

The peak is the command's own, read by GNU time (apt-get install time), which spawns it
from a process of 1 MB. os.wait4 on a child this process spawns reports this process's
peak instead whenever that was larger: Linux keeps the old address space's high-water mark
at exec, and subprocess spawns with vfork. A benchmark holding a simulated web of
hundreds of MB would then print its own size as the checker's."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    cpu: float  # user + system seconds of the command and the children it waited for
    peak_mb: float  # the largest resident set of the command or one of those children
    exit_code: int


def measure(
    argv: list[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    stdout: int | IO[bytes] = subprocess.DEVNULL,
    stderr: int | IO[bytes] = subprocess.DEVNULL,
) -> Measured:
    gnu_time = shutil.which("time")
    if gnu_time is None:
        raise SystemExit("the benchmarks measure memory with GNU time: apt-get install time")
    with tempfile.NamedTemporaryFile(mode="r", suffix=".time") as report:
        start = time.perf_counter()
        completed = subprocess.run(
            [gnu_time, "-o", report.name, "-f", "%U %S %M", *argv],
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=stderr,
            check=False,
        )
        wall = time.perf_counter() - start
        # The last line is the format's; one before it says how a failed command ended.
        user, system, kilobytes = report.read().split("\n")[-2].split()
    return Measured(wall, float(user) + float(system), int(kilobytes) / 1024, completed.returncode)
