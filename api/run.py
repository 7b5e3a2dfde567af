"""`make run`: fetch what is missing, build the index if needed, and serve.

Missing publications without a download address are reported and skipped; the service starts
as long as some version is live, so one unavailable PDF does not keep the others offline.
"""

from __future__ import annotations

import os
import sys

import click

from api.cli import cli
from index.store import VersionStore
from ingest.settings import Settings


def main() -> None:
    settings = Settings()
    host = os.environ.get("KB_HOST", "127.0.0.1")
    port = os.environ.get("KB_PORT", "8000")
    for step in (["fetch"], ["ingest"]):
        try:
            cli.main(args=step, standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                click.echo(f"`kb {step[0]}` sluttede med fejl (kode {exc.code}); fortsætter.", err=True)
        except click.ClickException as exc:
            exc.show()
    if VersionStore(settings.data_dir).pointer() is None:
        click.echo("Der er intet indeks at vise. Læg PDF'erne i "
                   f"{settings.corpus_dir} (se README) og kør `make run` igen.", err=True)
        sys.exit(1)
    cli.main(args=["serve", "--host", host, "--port", port])


if __name__ == "__main__":
    main()
