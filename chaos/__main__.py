"""`python -m chaos`: a private stack, orders under faults, the audit; exit 1 on any miss."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from chaos.report import table, write
from chaos.run import Options, chaos_settings, run
from devstack.stack import start_stack

RESULTS = Path(__file__).parent / "results"


def main() -> int:
    defaults = Options()
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--orders", type=int, default=defaults.orders)
    parser.add_argument("--rate", type=float, default=defaults.rate, help="orders per second")
    parser.add_argument("--seed", type=int, default=defaults.seed, help="the plan's seed")
    parser.add_argument(
        "--faults",
        choices=("all", "one-per-kind"),
        default="all",
        help="each target of each kind once, or one target per kind",
    )
    parser.add_argument("--redis-kills", type=int, default=defaults.redis_kills)
    parser.add_argument(
        "--deadline",
        type=float,
        default=defaults.deadline_s,
        help="seconds after the last fault to wait for convergence",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    options = Options(
        orders=args.orders,
        rate=args.rate,
        seed=args.seed,
        every_target=args.faults == "all",
        redis_kills=args.redis_kills,
        deadline_s=args.deadline,
    )
    with start_stack(chaos_settings(Path(".run/chaos"))) as stack:
        report = run(stack, options)
    write(report, args.out)
    print(table(report))
    print(f"written to {args.out}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
