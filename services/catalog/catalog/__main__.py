"""Operator commands: `python -m catalog backfill-cards` writes the card of every course saved
before cards existed (idempotent; run once after deploying cards, safe to run again)."""

from __future__ import annotations

import argparse

from catalog import bootstrap
from catalog.adapters.repository import courses_without_cards
from catalog.commands import BackfillCards
from shared.config import load_settings
from shared.dynamo.client import dynamodb_client
from shared.logs import configure_logging
from shared.runtime import Runtime


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m catalog", description=__doc__)
    parser.add_argument("command", choices=["backfill-cards"])
    parser.parse_args()
    configure_logging("catalog")
    settings = load_settings("catalog")
    catalog = bootstrap.build(Runtime(settings))
    # its own client: the request-path guard refuses the Scan an operator command may make
    scanning = dynamodb_client(settings.aws, service=settings.service)
    missing = courses_without_cards(scanning, catalog.runtime.table)
    written = catalog.backfill_cards(BackfillCards(tuple(missing)))
    print(f"courses without a card: {len(missing)}; cards written: {written}")


if __name__ == "__main__":
    main()
