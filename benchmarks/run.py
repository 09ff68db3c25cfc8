"""Run the benchmarks and print their figures: `make bench` or `python -m benchmarks.run NAME`.

Each benchmark is a module `benchmarks/bench_<name>.py` with a `main(argv) -> int`. They
need PostgreSQL (DATABASE_URL) for figures worth recording; each prints what it measured,
on which database, and the machine's core count, so docs/performance.md can quote it.

`python -m benchmarks.run --smoke [NAME...]` runs each at its smallest size (the test suite
does, so that no benchmark stops working unnoticed); `seed_scale` runs first, so that the
others find a cycle to measure.
"""

import importlib
import pkgutil
import sys

import benchmarks
from benchmarks.common import SMOKE_FLAG


def available() -> list[str]:
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    flags = [arg for arg in argv if arg.startswith("--")]
    names = [arg for arg in argv if not arg.startswith("--")] or available()
    if SMOKE_FLAG in flags and "seed_scale" in names:
        names = ["seed_scale"] + [name for name in names if name != "seed_scale"]
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    status = 0
    for name in names:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"benchmarks.bench_{name}")
        status |= module.main(flags)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
