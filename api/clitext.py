"""Click's own words in Danish: the help option, the help page's headings, and the usage errors an
operator meets (`kb ask` without a question, `--k abc`, a mistyped command or file name).

Everything else `kb` prints is Danish; without this, `kb --help` ended in "Show this message and
exit." and a typo in a cron line logged "Error: No such command". Click looks its messages up with
``gettext`` from each of its modules; gettext's catalogues follow the locale (a server's is rarely
Danish) and need compiled ``.mo`` files, so :func:`use_danish` points those modules' look-ups at the
table below instead. A message not in the table stays as click wrote it.
"""

from __future__ import annotations

import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.parser
import click.termui
import click.types
import click.utils

DANISH = {
    # help pages
    "Show this message and exit.": "Vis denne hjælp og afslut.",
    "Usage:": "Brug:",
    "Options": "Tilvalg",
    "Commands": "Kommandoer",
    "Positional arguments": "Argumenter",
    "default: {default}": "standard: {default}",
    "required": "påkrævet",
    # usage errors (exit code 2)
    "Error: {message}": "Fejl: {message}",
    "Try '{command} {option}' for help.": "Se '{command} {option}' for hjælp.",
    "Missing command.": "Der mangler en kommando.",
    "No such command {name!r}.": "Kommandoen {name!r} findes ikke.",
    "No such option {name!r}.": "Valget {name!r} findes ikke.",
    "Did you mean {possibility}?": "Mente du {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Mente du en af: {possibilities}?)",
    "Missing argument": "Der mangler argumentet",
    "Missing option": "Der mangler valget",
    "Missing parameter": "Der mangler parameteren",
    "Missing parameter: {param_name}": "Der mangler parameteren {param_name}",
    "Invalid value for {param_hint}: {message}": "Ugyldig værdi for {param_hint}: {message}",
    "Invalid value: {message}": "Ugyldig værdi: {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldigt tal.",
    "{value} is not in the range {range}.": "{value} ligger ikke i intervallet {range}.",
    "Option {name!r} requires an argument.": "Valget {name!r} kræver en værdi.",
    "Option {name!r} does not take a value.": "Valget {name!r} tager ingen værdi.",
    "file": "fil",
    "directory": "mappe",
    "path": "sti",
    "{name} {filename!r} does not exist.": "{name} {filename!r} findes ikke.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} er en mappe.",
    "{name} {filename!r} is a file.": "{name} {filename!r} er en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan ikke læses.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} kan ikke skrives.",
    "Could not open file {filename!r}: {message}": "Kan ikke åbne filen {filename!r}: {message}",
    "unknown error": "ukendt fejl",
    "Aborted!": "Afbrudt!",
}

DANISH_PLURAL = {
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} er ikke {choice}.", "{value!r} er ikke en af {choices}."),
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Uventet ekstra argument ({args})", "Uventede ekstra argumenter ({args})"),
    ("Option {name!r} requires {nargs} arguments.", "Option {name!r} requires {nargs} arguments."):
        ("Valget {name!r} kræver {nargs} værdier.", "Valget {name!r} kræver {nargs} værdier."),
}

CLICK_MODULES = (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.termui,
                 click.types, click.utils)


def gettext(message: str) -> str:
    return DANISH.get(message, message)


def ngettext(singular: str, plural: str, count: int) -> str:
    one, many = DANISH_PLURAL.get((singular, plural), (singular, plural))
    return one if count == 1 else many


def use_danish() -> None:
    """Make click's messages Danish; call it before the commands are declared (a ``click.Path``
    names its kind, "fil", when it is made)."""
    for module in CLICK_MODULES:
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]
