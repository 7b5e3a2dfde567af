"""The `kb` command line: a thin group over the same code the web app uses."""

from __future__ import annotations

import errno
import json
import logging
import sqlite3
import sys
import textwrap
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from pydantic import ValidationError

from api.clitext import use_danish
from api.logs import log_format
from api.schemas import answer_out, citation, hits_out
from index.errors import KBIndexError
from ingest.errors import IngestError
from ingest.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])

use_danish()  # before the commands below are declared


def friendly_errors(fn: F) -> F:
    """Known errors become one clear line on stderr and exit code 1, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (KBIndexError, IngestError, ValueError) as exc:
            click.echo(f"Fejl: {exc}", err=True)
            sys.exit(1)
        except (OSError, sqlite3.Error) as exc:
            # A read-only mount, a full disk or a data dir that is a file is the operator's to fix;
            # the traceback would hide the one thing they need: which path, and what to do.
            click.echo(f"Fejl: {file_system_message(exc, _current_settings())}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _current_settings() -> Settings | None:
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return obj if isinstance(obj, Settings) else None


def _setting_for(path: str, settings: Settings | None) -> str:
    """Which KB_ setting a path comes from, so the message says what to change."""
    if settings is None:
        return ""
    for name, folder in (("KB_DATA_DIR", settings.data_dir), ("KB_CORPUS_DIR", settings.corpus_dir)):
        root = str(folder)
        if path == root:
            return f" ({name})"
        if path.startswith(root.rstrip("/") + "/") or root.startswith(path.rstrip("/") + "/"):
            return f" ({name} er {folder})"
    return ""


def file_system_message(exc: OSError | sqlite3.Error, settings: Settings | None) -> str:
    """One Danish sentence: the path, what is wrong with it, and what to do."""
    if isinstance(exc, sqlite3.Error):
        # SQLite does not name its file; the feedback database lives in the data dir.
        where = f"i {settings.data_dir} (KB_DATA_DIR)" if settings else "i datamappen (KB_DATA_DIR)"
        if "full" in str(exc):
            return (f"databasen {where} kan ikke skrives, fordi der ikke er mere plads på disken. "
                    "Frigør plads og prøv igen.")
        return f"databasen {where} kan ikke bruges ({exc}). Tjek at mappen er skrivbar og disken ikke er fuld."
    path = str(exc.filename) if exc.filename is not None else "en fil eller mappe"
    setting = _setting_for(path, settings)
    code = exc.errno
    if code == errno.EROFS:
        return (f"{path}{setting} ligger på et skrivebeskyttet drev. Peg indstillingen på en skrivbar mappe, "
                "eller montér drevet skrivbart.")
    if code in (errno.EACCES, errno.EPERM):
        return (f"ingen adgang til {path}{setting}. Giv brugeren, der kører kb, læse- og skriveret til "
                "mappen, eller vælg en anden mappe.")
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return f"der er ikke mere plads på disken ved {path}{setting}. Frigør plads og prøv igen."
    if code in (errno.EEXIST, errno.ENOTDIR):
        return (f"{path}{setting} er (eller ligger under) en fil, ikke en mappe. Peg indstillingen på en mappe, "
                "eller flyt filen.")
    if code == errno.ENOENT:
        return (f"{path}{setting} findes ikke, eller mappen, den skal ligge i, findes ikke. Opret mappen, "
                "eller angiv en sti der findes.")
    return f"{path}{setting} kan ikke bruges: {exc.strerror or exc}."


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Skriv fremdrift og detaljer i loggen.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Søg i SIRI's publikationer om æresrelaterede konflikter og negativ social kontrol."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format=log_format())
    try:
        ctx.obj = Settings()
    except ValidationError as exc:
        problems = "; ".join(f"KB_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors())
        click.echo(f"Fejl: ugyldig indstilling ({problems}).", err=True)
        sys.exit(1)


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings()


# Click exits 2 on a mistyped command line; cron and monitoring must tell that (fix the crontab)
# from a publication that failed while the rest was built (read the report), and from 3 (no live index).
PUBLICATION_FAILED_EXIT = 4


# -- building -------------------------------------------------------------------------------------
@cli.command()
@click.option("--force", is_flag=True, help="Gør versionen live, selv om en publikation har mistet mange passager.")
@click.option("--rebuild", is_flag=True, help="Udtræk og byg alt forfra, også uændrede publikationer.")
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@click.pass_context
@friendly_errors
def ingest(ctx: click.Context, force: bool, rebuild: bool, as_json: bool) -> None:
    """Byg en ny indeksversion af PDF'erne og gør den live.

    \b
    Afslutningskode (til cron og overvågning):
      0  alt lykkedes
      1  fejl, intet er bygget (fx et ugyldigt manifest eller en ulæselig datamappe)
      2  kommandoen er skrevet forkert (ukendt valg eller argument)
      4  en publikation fejlede (de øvrige er bygget), eller versionen blev ikke gjort live;
         rapporten siger hvorfor og hvad der skal gøres
    """
    from api.wiring import make_builder
    from ingest.manifest import load_manifest

    settings = _settings(ctx)
    publications = load_manifest(settings.manifest_path)
    report = make_builder(settings, progress=not as_json).build(publications, force=force, rebuild=rebuild)
    _print_build(report.to_dict(), as_json)
    if not report.ok:
        sys.exit(PUBLICATION_FAILED_EXIT)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@click.pass_context
@friendly_errors
def fetch(ctx: click.Context, as_json: bool) -> None:
    """Hent nye eller ændrede PDF'er fra manifestets adresser.

    \b
    Afslutningskode:
      0  alle PDF'er er hentet, uændrede eller lagt ind manuelt
      1  fejl (fx et ugyldigt manifest)
      2  kommandoen er skrevet forkert (ukendt valg eller argument)
      4  en eller flere PDF'er kunne ikke hentes (den gamle fil er bevaret)
    """
    from api.refresh import fetch_publications

    results = fetch_publications(_settings(ctx), progress=not as_json)
    if as_json:
        _echo_json({"publications": results})
    else:
        w = id_width(r["publication_id"] for r in results)
        for r in results:
            line = f"{r['publication_id']:<{w}} {r['status']}"
            if r.get("error"):
                line += f": {r['error']}"
            click.echo(line)
    if any(r["status"] == "failed" for r in results):
        sys.exit(PUBLICATION_FAILED_EXIT)


@cli.command(short_help="Hent og byg det, der er ændret (til cron).")
@click.option("--force", is_flag=True, help="Gør versionen live, selv om en publikation har mistet mange passager.")
@click.option("--json", "as_json", is_flag=True, help="Skriv rapporten som JSON.")
@click.pass_context
@friendly_errors
def refresh(ctx: click.Context, force: bool, as_json: bool) -> None:
    """Hent og byg det, der er ændret (til cron eller en systemd-timer).

    \b
    Afslutningskode (til cron og overvågning):
      0  alt lykkedes
      1  fejl, intet er bygget (fx et ugyldigt manifest eller en ulæselig datamappe)
      2  kommandoen er skrevet forkert (ukendt valg eller argument)
      4  en publikation fejlede (de øvrige er bygget), eller versionen blev ikke gjort live;
         rapporten siger hvorfor og hvad der skal gøres
    """
    from api.refresh import refresh as run_refresh

    report = run_refresh(_settings(ctx), force=force, progress=not as_json)
    _print_build(report, as_json)
    if not report["ok"]:
        sys.exit(PUBLICATION_FAILED_EXIT)


def id_width(ids: Iterable[str]) -> int:
    """The id column of a report: an id longer than the four guides' ("metodehaefte-2020") pushed
    its status and counts out of line with the others'."""
    return max([14, *(len(i) for i in ids)])


def _print_build(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _echo_json(report)
        return
    click.echo()
    w = id_width(p["id"] for p in report["publications"])
    for p in report["publications"]:
        line = (f"{p['id']:<{w}} {p['status']:<10} {p['passages']:>5} passager "
                f"({p['passages_embedded']} indlejret, {p['passages_reused']} genbrugt)")
        fetch_error = p["fetch"].get("error") if p.get("fetch") and p["fetch"].get("status") == "failed" else None
        if fetch_error:
            line += f"\n{'':<{w}} hentning fejlede: {fetch_error}"
            if p["passages"]:
                line += " (den tidligere PDF og dens passager er bevaret)"
        # refresh() copies a failed download's error onto the publication: say it once.
        if p.get("error") and p["error"] != fetch_error:
            line += f"\n{'':<{w}} FEJL: {p['error']}"
            if p.get("kept_previous"):
                line += " (de tidligere passager er bevaret)"
        click.echo(line)
    timings = report.get("timings", {})
    t = ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
    state = "live" if report.get("live") else "IKKE live"
    click.echo(f"\nVersion {report.get('version') or '–'} ({state}): {report['passages']} passager, "
               f"{report['passages_embedded']} indlejret, {report['passages_reused']} genbrugt. {t}")
    if report.get("error"):
        click.echo(f"Fejl: {report['error']}", err=True)


# -- asking ---------------------------------------------------------------------------------------
def _live_index(settings: Settings):  # type: ignore[no-untyped-def]
    from api.wiring import make_live

    # A load failure comes back as the NoLiveIndex message printed by friendly_errors; the
    # watcher's log line would only say it twice.
    logging.getLogger("kb.live").setLevel(logging.CRITICAL)
    live = make_live(settings)
    live.reload()
    return live.current()


def _link_base(settings: Settings) -> str:
    """Links in `--json` output: absolute under KB_PUBLIC_URL when set, else paths on the server."""
    return (settings.public_url or "").rstrip("/")


@cli.command()
@click.argument("question")
@click.option("--k", default=5, show_default=True, help="Antal passager.")
@click.option("--json", "as_json", is_flag=True, help="Skriv svaret som JSON.")
@click.pass_context
@friendly_errors
def ask(ctx: click.Context, question: str, k: int, as_json: bool) -> None:
    """Besvar et spørgsmål med passager fra publikationerne."""
    from index.search import check_k, check_question

    check_question(question)
    check_k(k)
    settings = _settings(ctx)
    index = _live_index(settings)
    answer = index.ask(question, k=k)
    out = answer_out(answer, index, base=_link_base(settings))
    if as_json:
        _echo_json(out.model_dump())
        return
    numbers = {p.id: i for i, p in enumerate(out.passages, start=1)}
    if out.confident:
        click.echo("Svar:")
        for s in out.answer:
            ref = numbers.get(s.passage_id)
            # A line break in an excerpt ends a quoted list or table; the sentence after it gets its own line.
            for line in f"{s.text} [{ref}]".split("\n"):
                click.echo(textwrap.fill(line, width=100, initial_indent="  ", subsequent_indent="  "))
        click.echo("\nKilder:")
    else:
        click.echo("Der blev ikke fundet et sikkert svar på spørgsmålet i publikationerne.")
        click.echo("\nDe nærmeste passager (læs dem kritisk):")
    for i, p in enumerate(out.passages, start=1):
        click.echo(f"\n[{i}] {citation(p)}")
        excerpt = p.text if len(p.text) <= 400 else p.text[:400].rsplit(" ", 1)[0] + " …"
        click.echo(textwrap.fill(excerpt, width=100, initial_indent="    ", subsequent_indent="    "))
        click.echo(f"    {p.url}")


@cli.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--k", default=10, show_default=True, help="Antal resultater pr. spørgsmål.")
@click.option("--retriever", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid",
              show_default=True, help="Mål den samlede søgning eller kun én af de to dele.")
@click.option("--json", "as_json", is_flag=True, help="Skriv resultater og nøgletal som JSON.")
@click.pass_context
@friendly_errors
def eval_(ctx: click.Context, file: Path, k: int, retriever: str, as_json: bool) -> None:
    """Mål søgekvaliteten på en spørgsmålsfil (recall@1/5/10, MRR@10)."""
    from dataclasses import replace

    from index.evaluate import check_publications, evaluate, load_questions

    questions = load_questions(file)
    settings = _settings(ctx)
    index = _live_index(settings)
    check_publications(questions, index.publication_ids())
    fusion = None
    if retriever != "hybrid":
        # One retriever alone: the passage vectors or BM25, without the best-sentence share.
        fusion = replace(index.fusion, method="zscore", dense_weight=1.0 if retriever == "dense" else 0.0,
                         sentence_weight=0.0)
    report = evaluate(index, questions, k=k, fusion=fusion)
    summary = report.summary()
    if as_json:
        _echo_json({
            "summary": summary,
            "questions": [
                {"id": r.question.id, "confident": r.confident, "rank": r.rank,
                 "answer_right": r.answer_right if r.answer is not None else None,
                 "draft_right": r.draft_right if r.draft is not None else None,
                 "answer": [{"text": s.text, "passage_id": s.passage_id}
                            for s in (r.answer.sentences if r.answer is not None else [])],
                 "results": [p.model_dump() for p in hits_out(r.hits, index, base=_link_base(settings))]}
                for r in report.results
            ],
        })
        return
    click.echo(f"{'slags':<14}{'antal':>6}{'R@1':>8}{'R@5':>8}{'R@10':>8}{'MRR@10':>9}")
    for kind, m in summary.items():
        if kind in ("answers", "labels"):
            continue
        click.echo(f"{kind:<14}{m['questions']:>6}{m['recall@1']:>8.3f}{m['recall@5']:>8.3f}"
                   f"{m['recall@10']:>8.3f}{m['mrr@10']:>9.3f}")
    if "labels" in summary:
        lab = summary["labels"]
        click.echo(f"\nTrykt sidetal rigtigt: {lab['right']}/{lab['measured']} ({lab['accuracy']:.1%})")
    a = summary.get("answers")
    if a is None:  # one retriever alone ranks passages but does not decide confidence
        return
    n = a["answerable"]
    click.echo(f"Svar rigtige: {a['right']}/{n} ({a['right_rate']:.1%}); sikre men forkerte: "
               f"{a['confidently_wrong']}/{n} ({a['confidently_wrong_rate']:.1%}); afvist trods svar: "
               f"{a['declined']}/{n} (heraf {a['declined_draft_right']} med et rigtigt udkast); "
               f"ubesvarlige afvist: {a['unanswerable_declined']}/{a['unanswerable']}")


# -- running and managing -------------------------------------------------------------------------
@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Adressen, der lyttes på; 127.0.0.1 kan kun nås fra maskinen selv (bag en proxy).")
@click.option("--port", default=8000, show_default=True, type=int, help="Porten, der lyttes på.")
@click.pass_context
@friendly_errors
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Start web-siden og API'et på det live indeks."""
    from api.server import configure_logging
    from api.server import serve as run_server

    # A server's own log lines are what an operator reads; the CLI's default of warnings only
    # would hide them. The same as in each worker process.
    configure_logging()
    settings = _settings(ctx)
    # A data dir that is a file, or on a read-only disk, would otherwise only show as 503s and
    # failed »Hjalp svaret?« posts once the server runs: it is said here, before a port is opened.
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    run_server(settings, host=host, port=port)


NO_LIVE_INDEX_EXIT = 3


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Skriv status som JSON.")
@click.pass_context
@friendly_errors
def status(ctx: click.Context, as_json: bool) -> None:
    """Vis den live version, modellen og publikationerne.

    \b
    Afslutningskode (til overvågning):
      0  et live indeks er klar
      1  fejl (fx en ulæselig datamappe)
      3  intet live indeks endnu (kør `kb ingest`)
    """
    from api.status import collect_status

    data = collect_status(_settings(ctx))
    if as_json:
        _echo_json(data)
    else:
        _print_status(data)
    if not data["live"]:
        # Monitoring reads the exit code, not the text; 3 is apart from 1 (an error) and 2 (usage).
        sys.exit(NO_LIVE_INDEX_EXIT)


def _print_status(data: dict[str, Any]) -> None:
    if not data["live"]:
        click.echo(f"Intet live indeks endnu i datamappen {data['data_dir']}. Kør `kb ingest`.")
    else:
        live = data["live"]
        click.echo(f"Live version: {live['version']} (bygget {live['created']})")
        click.echo(f"Model:        {live['model']} (dimension {live['dimension']})")
        click.echo(f"Passager:     {live['passage_count']}")
        click.echo(f"Datamappe:    {data['data_dir']}")
        if data.get("model_mismatch"):
            click.echo(f"ADVARSEL:     {data['model_mismatch']}")
        click.echo("\nPublikationer:")
        w = id_width(p["id"] for p in live["publications"])
        for p in live["publications"]:
            click.echo(f"  {p['id']:<{w}} {p['pages']:>4} sider {p['passages']:>5} passager  "
                       f"sha256 {str(p.get('sha256'))[:12]}")
            if p.get("kept_previous"):
                click.echo(f"  {'':<{w}} NB: kunne ikke læses ved sidste opbygning ({p.get('error')}); "
                           "de tidligere passager er bevaret.")
            fetch_facts = p.get("fetch")
            if fetch_facts:
                click.echo(f"  {'':<{w}} hentet {fetch_facts.get('fetched_at')} fra {fetch_facts.get('pdf_url')}")
    if data["versions"]:
        click.echo("\nVersioner (nyeste sidst):")
        live_version = data["live"]["version"] if data["live"] else None
        for v in data["versions"]:
            if v == live_version:
                mark = "live"
            elif data["previous"] and v == data["previous"][0]:
                mark = "forrige; `kb rollback` gør den live"
            elif v in data["previous"]:
                mark = "tidligere; `kb rollback --to` gør den live"
            else:
                mark = "ikke live"
            click.echo(f"  {v} ({mark})")


@cli.command()
@click.option("--to", "to", metavar="VERSION",
              help="Gør en bestemt tidligere version live (et versions-id, som `kb status` viser det).")
@click.pass_context
@friendly_errors
def rollback(ctx: click.Context, to: str | None) -> None:
    """Gør den forrige version (eller den med --to) live igen."""
    from index.store import VersionStore

    pointer = VersionStore(_settings(ctx).data_dir).rollback(to)
    click.echo(f"Version {pointer.version} er nu live.")


@cli.group()
def feedback() -> None:
    """Sagsbehandlernes svar på »Hjalp svaret?«."""


@feedback.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.pass_context
@friendly_errors
def feedback_export(ctx: click.Context, file: Path) -> None:
    """Skriv de svar, der hjalp, som en spørgsmålsfil til `kb eval`."""
    from api.feedback import FeedbackStore

    store = FeedbackStore(_settings(ctx).data_dir / "feedback")
    lines = store.questions()
    file.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    total = len(store.all())
    click.echo(f"Skrev {len(lines)} spørgsmål til {file} (ud af {total} svar; »Nej«, svar fra en passageside "
               "og gentagelser kommer ikke med).")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
