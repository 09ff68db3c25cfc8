"""Time `seed_scale --plans N` (default 50,000) into its own cycle and print the figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agenplan_scale \
        python -m benchmarks.run seed_scale

Set BENCH_PLANS to change N (`--smoke`: 40). The cycle code is `bench-<N>`; an earlier
run's cycle of the same code is replaced.
"""

import os

from benchmarks.common import database_label, peak_rss_mb, setup_django, smoke_mode, stopwatch


def main(argv: list[str]) -> int:
    setup_django()
    from django.core.management import call_command

    plans = int(os.environ.get("BENCH_PLANS", "40" if smoke_mode(argv) else "50000"))
    call_command("migrate", verbosity=0)
    with stopwatch() as elapsed:
        call_command(
            "seed_scale",
            plans=plans,
            cycle_code=f"bench-{plans}",
            replace=True,
            verbosity=0 if smoke_mode(argv) else 1,
        )
    print(
        f"seed_scale --plans {plans}: {elapsed['seconds']} s, peak RSS {peak_rss_mb()} MB, "
        f"{os.cpu_count()} cores, {database_label()}"
    )
    return 0
