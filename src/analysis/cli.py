"""The ``analysis`` command line.

Every subcommand exits 0 on success and non-zero with a short message on stderr (what is
wrong and a hint on how to fix it) on bad input; ``--debug`` shows the full traceback.
Heavy libraries are imported inside the handlers so ``analysis --help`` is instant.

Size: about 560 lines for one job, the command line: each subcommand's parser and handler sit
together so ``--help`` and behaviour stay in step; the work itself is in the layers below.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

from analysis import __version__, config

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
PDF_HELP = (
    "also print each authority's summary and chapters into one PDF, <slug>-needs-assessment.pdf in its "
    "reports folder (needs Chromium at /usr/bin/chromium); not written when a chapter failed"
)


# ------------------------------------------------------------------------------------------
# data
# ------------------------------------------------------------------------------------------


def _cmd_data_get(args: argparse.Namespace) -> int:
    from analysis.data import sources

    mirror = Path(args.mirror) if args.mirror else None
    obtained = sources.get_raw_files(mirror, download=not args.no_download, force=args.force)
    total = sum(1 for f in sources.load_manifest() if f.kind == "open_data")
    print(f"data/raw: {len(obtained)} file(s) obtained, {total - len(obtained)} already present and verified.")
    return EXIT_OK


def _cmd_data_verify(args: argparse.Namespace) -> int:
    from analysis.data import sources

    checked = sources.verify_raw_files()
    print(f"data/raw: all {len(checked)} checksummed files match data/raw/sources.yaml.")
    return EXIT_OK


def _cmd_data_build(args: argparse.Namespace) -> int:
    from analysis.data import build
    from analysis.run import plan

    build.build_tables(force=args.force)
    computed = plan.fill_disk_cache()  # the England-wide results the first reports would each compute
    if computed:
        print(
            f"England-wide results for the reports: {computed} indicators computed and kept under data/interim/cache."
        )
    return EXIT_OK


def _cmd_data_hash(args: argparse.Namespace) -> int:
    from analysis.data import sources

    digest = sources.update_manifest_checksum(args.path)
    print(f"recorded sha256 {digest} for {args.path} in data/raw/sources.yaml; now run 'analysis data build'.")
    return EXIT_OK


def _cmd_data_add(args: argparse.Namespace) -> int:
    from analysis.data.steps import homelessness_manifest

    entry = homelessness_manifest.record_workbook(args.path)
    print(
        f"recorded {entry['path']} ({entry['vintage']}) as {entry['id']} in data/raw/sources.yaml "
        f"(sha256 {entry['sha256'][:12]}...); now run 'analysis data build'."
    )
    return EXIT_OK


def _add_data(sub: argparse._SubParsersAction) -> None:
    data = sub.add_parser(
        "data",
        help="obtain, verify and build the data",
        description="Obtain the raw open data, verify checksums and build data/processed.",
    )
    data_sub = data.add_subparsers(dest="data_command", required=True, metavar="{get,verify,build,hash,add}")
    get = data_sub.add_parser(
        "get",
        help="copy or download the raw open data into data/raw and verify it",
        description="Copy each open-data file in data/raw/sources.yaml from the local mirror "
        "(default ../shared/data, or $ANALYSIS_DATA_MIRROR) or download it, and "
        "check its sha256.",
    )
    get.add_argument("--mirror", help="folder holding the raw files (default: ../shared/data if present)")
    get.add_argument("--no-download", action="store_true", help="never download; only copy from the mirror")
    get.add_argument("--force", action="store_true", help="obtain files again even if present and valid")
    get.set_defaults(handler=_cmd_data_get)
    verify = data_sub.add_parser(
        "verify",
        help="recompute raw checksums; fail naming any file that differs",
        description="Recompute the sha256 of every raw file and compare with the manifest.",
    )
    verify.set_defaults(handler=_cmd_data_verify)
    build = data_sub.add_parser(
        "build",
        help="build data/processed from data/raw (skips when unchanged)",
        description="Validate the raw tables and write the processed Parquet tables. "
        "A second run with unchanged inputs and code does nothing.",
    )
    build.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    build.set_defaults(handler=_cmd_data_build)
    hash_ = data_sub.add_parser(
        "hash",
        help="record the checksum of an authored table you edited",
        description="After editing a committed authored table (e.g. adding ONS figures to "
        "authored/csew_prevalence_rates.csv), record its new sha256.",
    )
    hash_.add_argument("path", help="path under data/raw, e.g. authored/csew_prevalence_rates.csv")
    hash_.set_defaults(handler=_cmd_data_hash)
    add = data_sub.add_parser(
        "add",
        help="record MHCLG's next quarterly homelessness workbook in the manifest",
        description="After saving MHCLG's 'Statutory homelessness: detailed local authority-level tables' "
        "workbook unchanged into data/raw/homelessness/, read its quarter from its table titles and add a "
        "manifest entry (kind open_data, sha256, vintage). Refuses a second workbook for a quarter the "
        "manifest already has, naming both files.",
        epilog="Example: analysis data add homelessness/Detailed_LA_202603.ods",
    )
    add.add_argument("path", help="the workbook under data/raw, e.g. homelessness/<file>.ods")
    add.set_defaults(handler=_cmd_data_add)


# ------------------------------------------------------------------------------------------
# areas
# ------------------------------------------------------------------------------------------


def _print_table(frame, columns: list[str], fmt: str) -> None:
    frame = frame[columns]
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        print(frame.fillna("").to_string(index=False))


def _cmd_areas_list(args: argparse.Namespace) -> int:
    from analysis.methods import areas

    levels = args.level or ["utla"]
    rows = areas.list_areas(levels=levels, region=args.region)
    _print_table(rows, ["area_code", "area_name", "area_type", "region_name", "part4_duty_holder_name"], args.format)
    return EXIT_OK


def _cmd_areas_find(args: argparse.Namespace) -> int:
    from analysis.methods import areas

    area = areas.resolve_area(" ".join(args.text))
    print(
        f"{area.code}  {area.name}  ({area.area_type}; region {area.region_name or '-'}; "
        f"Part 4 duty: {area.part4_duty_holder_name or 'none (context only)'})"
    )
    return EXIT_OK


def _add_areas(sub: argparse._SubParsersAction) -> None:
    areas_parser = sub.add_parser(
        "areas",
        help="list authorities or resolve a code or name",
        description="Upper-tier authorities, regions and England in the workspace geography.",
    )
    areas_sub = areas_parser.add_subparsers(dest="areas_command", required=True, metavar="{list,find}")
    list_ = areas_sub.add_parser("list", help="list reporting areas", description="List reporting areas.")
    list_.add_argument(
        "--level", action="append", choices=["utla", "region", "country"], help="area level (repeatable; default utla)"
    )
    list_.add_argument("--region", help="only the upper-tier authorities in this region (name or E12 code)")
    list_.add_argument("--format", choices=["table", "csv"], default="table")
    list_.set_defaults(handler=_cmd_areas_list)
    find = areas_sub.add_parser(
        "find",
        help="resolve a code or name (tolerates misspellings)",
        description="Resolve a GSS code or name to a reporting area.",
    )
    find.add_argument("text", nargs="+", help="a code such as E10000014 or a name such as Hampshire")
    find.set_defaults(handler=_cmd_areas_find)


# ------------------------------------------------------------------------------------------
# report
# ------------------------------------------------------------------------------------------


def _cmd_report(args: argparse.Namespace) -> int:
    from analysis.data import build
    from analysis.methods import areas
    from analysis.present.navigation import SUMMARY_NAME
    from analysis.run import batch, plan

    area = areas.resolve_area(args.area)
    build.build_tables()
    if not plan.available_notebooks():
        print(
            f"Processed data is built for {area.name} ({area.code}); the topic notebooks do not exist yet, "
            "so there is no report to run."
        )
        return EXIT_OK
    command = f"analysis report --area {area.code}" + (" --pdf" if args.pdf else "")
    summary = batch.run_batch(plan.BatchOptions(areas=[area.code], pdf=args.pdf, command=command))
    print(summary.format())
    published = [o.html for o in summary.outcomes if o.html and not o.failed]
    if published:
        print(f"HTML reports for {area.name} ({area.code}):")
        for path in published:
            print(f"  {path}")
    landing = summary.reports_dir / area.report_slug / SUMMARY_NAME
    if landing.is_file():
        print(f"Evidence summary: {landing}")
    for printed in summary.pdfs:
        print(f"PDF for {area.name} ({area.code}): {printed.path}")
    return summary.exit_code


def _add_report(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser(
        "report",
        help="build data and produce the reports for one authority",
        description="Build the processed data if needed and run every topic notebook for one "
        "authority, publishing HTML under reports/.",
    )
    report.add_argument(
        "--area",
        default=config.DEFAULT_AREA_CODE,
        help=f"authority code or name (default {config.DEFAULT_AREA_CODE}, {config.DEFAULT_AREA_NAME})",
    )
    report.add_argument("--pdf", action="store_true", help=PDF_HELP)
    report.set_defaults(handler=_cmd_report)


# ------------------------------------------------------------------------------------------
# entry point
# ------------------------------------------------------------------------------------------

#: Functions that add a subcommand; modules add theirs here.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction], None]] = [_add_data, _add_areas, _add_report]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``analysis``."""
    parser = argparse.ArgumentParser(
        prog="analysis",
        description="Domestic abuse safe accommodation needs assessment workspace (Domestic Abuse Act 2021, Part 4).",
        epilog="Run 'analysis COMMAND --help' for a command's options. Docs: README.md.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(sub)
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"note: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    from analysis.errors import AnalysisError

    if not args.debug:
        warnings.showwarning = _show_warning
    try:
        return args.handler(args)
    except AnalysisError as exc:
        if args.debug:
            raise
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # output piped into e.g. `head`
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted: stopped cleanly; run the same command again to continue.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # an unexpected failure: say what, not a wall of traceback
        if args.debug:
            raise
        print(f"error: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        print("hint: run again with --debug for the full traceback, and report it if it persists.", file=sys.stderr)
        return EXIT_FAILED


# ------------------------------------------------------------------------------------------
# batch and publish
# ------------------------------------------------------------------------------------------


def _cmd_batch(args: argparse.Namespace) -> int:
    from analysis.run import batch, plan

    options = plan.BatchOptions(
        areas=args.area or (),
        regions=args.region or (),
        all_authorities=args.all,
        notebooks=args.notebooks or (),
        parameters=[tuple(pair) for pair in args.parameter or ()],
        parameters_file=args.parameters_file,
        workers=args.workers,
        timeout=args.timeout,
        force=args.force,
        quiet=args.quiet,
        reports_dir=args.reports_dir,
        notebooks_dir=args.notebooks_dir,
        executor=args.executor,
        scheduler=args.scheduler,
        pdf=args.pdf,
    )
    options.command = plan.command_line(options)
    summary = batch.run_batch(options)
    print(summary.format())
    return summary.exit_code


def _add_batch(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "batch",
        help="run notebooks for many areas in parallel and publish HTML",
        description="Run the topic notebooks with papermill for one or more areas, in parallel worker processes "
        "(or on a Dask cluster), and publish each as self-contained HTML under reports/, with "
        "reports/index.html. Unchanged runs are skipped; failures are reported, not fatal.",
        epilog='Examples: analysis batch --area Hampshire | analysis batch --region "South East" '
        "-p confidence_level 0.9 | analysis batch --all -f params.yaml --quiet",
    )
    what = parser.add_argument_group("what to run")
    what.add_argument(
        "--area",
        action="append",
        metavar="CODE_OR_NAME",
        help="an authority (or region / England) code or name; repeatable",
    )
    what.add_argument(
        "--region",
        action="append",
        metavar="NAME_OR_CODE",
        help="every upper-tier authority in this region; repeatable",
    )
    what.add_argument(
        "--all",
        action="store_true",
        help="every upper-tier authority in England (152); add --area London for London as a whole",
    )
    what.add_argument(
        "--notebooks",
        nargs="+",
        metavar="NAME",
        help="notebooks to run (names or prefixes such as 01; default: the topic notebooks)",
    )
    what.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        metavar=("NAME", "VALUE"),
        help="a notebook parameter (VALUE read as YAML; NOTEBOOK.NAME for one notebook); repeatable",
    )
    what.add_argument(
        "-f",
        "--parameters-file",
        metavar="YAML",
        help="parameters file: 'name: value' lines, and '<notebook>:' sections for one notebook",
    )
    how = parser.add_argument_group("how to run it")
    how.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="parallel runs (default: the CPUs available, plus one with warm kernels)",
    )
    how.add_argument(
        "--timeout",
        type=float,
        default=config.BATCH_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"limit on each notebook's execution (default {config.BATCH_TIMEOUT_SECONDS}; 0: none)",
    )
    how.add_argument("--force", action="store_true", help="rerun even runs whose inputs are unchanged")
    how.add_argument("--quiet", action="store_true", help="no progress bar or notes: only the summary (for logs)")
    how.add_argument("--reports-dir", metavar="DIR", help="where to write the reports (default: reports/)")
    how.add_argument("--notebooks-dir", metavar="DIR", help="where the notebooks are (default: notebooks/)")
    how.add_argument("--pdf", action="store_true", help=PDF_HELP)
    how.add_argument(
        "--executor",
        choices=["processes", "dask"],
        default="processes",
        help="local worker processes (default) or a local Dask cluster",
    )
    how.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask scheduler (e.g. tcp://10.0.0.5:8786); its workers must see the "
        "project folder at the same path",
    )
    parser.set_defaults(handler=_cmd_batch)


def _cmd_publish(args: argparse.Namespace) -> int:
    from analysis.present import publish, summary

    if args.screenshot:
        from analysis.present import browser

        if args.pdf or args.check_accessibility:
            from analysis.errors import ParameterError

            flag = "--pdf" if args.pdf else "--check-accessibility"
            raise ParameterError(
                f"{flag} and --screenshot are separate jobs.", f"Run 'analysis publish {flag}' on its own."
            )

        html, png = (Path(p) for p in args.screenshot)
        browser.screenshot(html, png, width=args.width)
        print(f"screenshot of {html} saved to {png}")
        return EXIT_OK
    from analysis.run import lock

    reports_dir = Path(args.reports_dir) if args.reports_dir else config.REPORTS_DIR
    if args.pdf:
        from analysis.present import pdf

        pdf.check_chromium()
    if args.check_accessibility:
        from analysis.present import accessibility

        accessibility.axe_script()  # installed and verified before anything is published
    with lock.batch_lock(reports_dir, "analysis publish" + (" --pdf" if args.pdf else "")):
        workspace = publish.workspace_info()
        count, problems = publish.republish(reports_dir, workspace)
        summaries, summary_problems = summary.write_summaries(reports_dir)
        problems += summary_problems
        index = publish.write_index(reports_dir, workspace)
        if args.pdf:
            folders = sorted({reports_dir / record["folder"] for record in publish.collect_runs(reports_dir)})
            printed = pdf.write_pdfs(folders, workspace)
    print(
        f"re-published {count} report(s) from their executed notebooks and {len(summaries)} authority "
        f"summar{'y' if len(summaries) == 1 else 'ies'}; index: {index}"
    )
    for problem in problems:
        print(f"  NOT PUBLISHED (earlier HTML kept): {problem}", file=sys.stderr)
    if args.pdf:
        for item in printed.written:
            print(f"PDF: {item.path} ({item.seconds:.1f} s)")
        for problem in printed.problems:
            print(f"  PDF NOT WRITTEN: {problem}", file=sys.stderr)
        problems = [*problems, *printed.problems]
    if args.check_accessibility:
        problems = [*problems, *_check_accessibility(reports_dir)]
    return EXIT_FAILED if problems else EXIT_OK


def _check_accessibility(reports_dir: Path) -> list[str]:
    """Check every published page of ``reports_dir``; print a line per page and finding; return the failures."""
    from analysis.present import accessibility

    checks = accessibility.check_pages(accessibility.published_pages(reports_dir))
    failed = [str(check.page) for check in checks if not check.ok]
    print(
        f"accessibility (axe-core {config.AXE_CORE_VERSION}, {', '.join(config.ACCESSIBILITY_TAGS)}; reflow at "
        f"{config.REFLOW_WIDTH_PX} px): {len(checks)} page(s) checked, {len(failed)} with findings"
    )
    for line in accessibility.describe(checks, reports_dir):
        print(line)
    return failed


def _add_publish(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "publish",
        help="re-publish HTML from executed notebooks, rebuild the index, print PDFs, or take a screenshot",
        description="Re-render every report's HTML from its executed notebook (no kernels run) and rebuild "
        "reports/index.html (with --pdf, then print each authority's PDF; with --check-accessibility, then check every "
        "page); or save a screenshot of a report "
        "in headless Chromium.",
    )
    parser.add_argument("--reports-dir", metavar="DIR", help="the reports folder (default: reports/)")
    parser.add_argument("--pdf", action="store_true", help=PDF_HELP)
    parser.add_argument(
        "--check-accessibility",
        action="store_true",
        help="then check every published page in headless Chromium with axe-core (WCAG 2.1 A and AA) and for "
        "reflow at 320 pixels; exit 1 when a page has findings",
    )
    parser.add_argument(
        "--screenshot",
        nargs=2,
        metavar=("HTML", "PNG"),
        help="save a full-page screenshot of HTML to PNG (needs /usr/bin/chromium)",
    )
    parser.add_argument("--width", type=int, default=1000, help="screenshot page width in pixels (default 1000)")
    parser.set_defaults(handler=_cmd_publish)


SUBCOMMANDS.extend([_add_batch, _add_publish])


# ------------------------------------------------------------------------------------------
# local: a council's own files
# ------------------------------------------------------------------------------------------


def _cmd_local_template(args: argparse.Namespace) -> int:
    from analysis.methods import council_data

    area = council_data.resolve_local_area(" ".join(args.area))
    written = council_data.write_templates(area, period=args.period, force=args.force, files=args.file)
    print(f"wrote {len(written)} file(s) for {area.name} ({area.code}) in data/raw/local/{area.code}/:")
    for path in written:
        print(f"  {path.name}")
    print(f"Fill them in (see README.txt there), then check them with: analysis local check {area.code}")
    return EXIT_OK


def _cmd_local_check(args: argparse.Namespace) -> int:
    from analysis.methods import council_data
    from analysis.present import council_data as council_text

    area = council_data.resolve_local_area(" ".join(args.area))
    local = council_data.load_local_data(area)
    print(f"Local data for {area.name} ({area.code}), data/raw/local/{area.code}/: every file present is valid.")
    for name in (config.LOCAL_SUPPLY_FILE, config.LOCAL_REFERRALS_FILE):
        table = local.tables().get(name)
        print(f"  {name}: " + (f"{len(table)} row(s)" if table is not None else "not there"))
    for row in council_data.part4_status(local).itertuples(index=False):
        state = f"{row.filled} of {row.categories} categories filled" if row.provided else "not there"
        small = f"; {row.small} small count(s) of people, shown as {config.SUPPRESSION_MARKER} in reports"
        print(f"  {row.file}: {state}{small if row.small else ''}")
    if args.missing:
        print("Not known yet:")
        for item in council_text.part4_missing_items(local):
            print(f"  - {item.replace('**', '').replace('`', '')}")
    return EXIT_OK


def _add_local(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "local",
        help="write or check a council's own files (Part 4 return templates) in data/raw/local",
        description="A council's own aggregate counts live in data/raw/local/<area_code>/ and stay out of git. "
        "See docs/local-data.md.",
    )
    local_sub = parser.add_subparsers(dest="local_command", required=True, metavar="{template,check}")
    template = local_sub.add_parser(
        "template",
        help="write ready-to-fill CSV files of the Part 4 annual return's categories",
        description="Write one CSV per table of the Part 4 annual return to MHCLG (bedspaces by type, individuals "
        "supported, referrals and reasons not supported, specialist characteristics, length of stay, support "
        "ended, specialist services) and a README.txt into data/raw/local/<area_code>/. Existing files are "
        "never overwritten.",
        epilog="Examples: analysis local template Hampshire | analysis local template E06000046 --period 2023-24",
    )
    template.add_argument("area", nargs="+", help="an upper-tier authority code or name (or London)")
    template.add_argument("--period", help="write this period (e.g. 2023-24) into every row")
    template.add_argument(
        "--force",
        action="store_true",
        help="replace templates nobody has filled in yet (files with any count, source or note are never replaced)",
    )
    template.add_argument(
        "--file",
        action="append",
        metavar="NAME",
        help="write only this template (e.g. part4_referrals.csv); repeatable",
    )
    template.set_defaults(handler=_cmd_local_template)
    check = local_sub.add_parser(
        "check",
        help="validate an area's local files and say what is filled",
        description="Read and validate every local file of an area (supply.csv, referrals.csv, part4_*.csv); "
        "errors name the file, line, column and value.",
    )
    check.add_argument("area", nargs="+", help="an upper-tier authority code or name (or London)")
    check.add_argument("--missing", action="store_true", help="also list the categories not known yet")
    check.set_defaults(handler=_cmd_local_check)


SUBCOMMANDS.append(_add_local)


if __name__ == "__main__":
    sys.exit(main())
