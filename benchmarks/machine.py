"""What the figures were measured on: they mean little without the machine and the versions."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path

PACKAGES = ("pulumi", "pulumi-policy", "pulumi-aws")
KIB_PER_GIB = 1024 * 1024


@dataclass(frozen=True)
class Machine:
    cpu: str
    cores: int
    memory_gib: float
    python: str
    packages: dict[str, str]
    # Other work on a shared machine inflates every time: say how busy it was, at the start
    # of the run and (once `ended`) at its end.
    load_averages: tuple[float, ...]

    def ended(self) -> Machine:
        return replace(self, load_averages=(*self.load_averages, os.getloadavg()[0]))

    def lines(self) -> list[str]:
        versions = ", ".join(f"{name} {version}" for name, version in self.packages.items())
        return [
            f"- CPU: {self.cpu}, {self.cores} cores",
            f"- Memory: {self.memory_gib:.1f} GiB",
            f"- Python {self.python}; {versions}",
            "- Load average (1 min) at the start and the end of the run: "
            + ", ".join(f"{load:.2f}" for load in self.load_averages),
        ]


def describe_machine(
    cpuinfo: Path = Path("/proc/cpuinfo"), meminfo: Path = Path("/proc/meminfo")
) -> Machine:
    return Machine(
        cpu=_field(cpuinfo, "model name") or platform.processor() or "unknown",
        cores=len(os.sched_getaffinity(0)),
        memory_gib=_memory_kib(meminfo) / KIB_PER_GIB,
        python=platform.python_version(),
        packages={name: metadata.version(name) for name in PACKAGES},
        load_averages=(os.getloadavg()[0],),
    )


def _field(path: Path, name: str) -> str:
    """The first `name: value` line's value in a /proc file, "" when absent."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return ""
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def _memory_kib(meminfo: Path) -> int:
    total = _field(meminfo, "MemTotal").split()
    return int(total[0]) if total else 0
