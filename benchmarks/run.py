"""Run the benchmarks and print their figures: `make bench` or `python -m benchmarks.run NAME`.

Each benchmark is a module `benchmarks/bench_<name>.py` with a `main(argv) -> int`. They
need PostgreSQL (DATABASE_URL) for figures worth recording; each prints what it measured,
on which database, and the machine's core count, so docs/performance.md can quote it.
"""

import importlib
import pkgutil
import sys

import benchmarks


def available() -> list[str]:
    return sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    status = 0
    for name in names:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"benchmarks.bench_{name}")
        status |= module.main([])
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
