"""``cctv-conformance``: run profiles against targets, the demo, the self-test; list what exists.

Exit status (a contract): 0 every mandatory requirement passed; 1 the run completed and the
target does not conform; 2 bad input (profile, target, options), with a message naming the
file, field and problem; 3 the suite itself failed; 4 incomplete: nothing failed, but a mandatory
requirement could not be judged here for an ``environment:`` or ``no stimulus:`` reason.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from conformance import __version__
from conformance.audit import print_summary, run_suite, write_pdfs, write_reports
from conformance.distributed import options as distributed_options
from conformance.errors import InputError, raise_all

EXIT_CONFORMS, EXIT_NONCONFORMANT, EXIT_BAD_INPUT, EXIT_SUITE_ERROR = 0, 1, 2, 3
EXIT_INCOMPLETE = 4
EXIT_OF_VERDICT = {
    "conforms": EXIT_CONFORMS,
    "does_not_conform": EXIT_NONCONFORMANT,
    "incomplete": EXIT_INCOMPLETE,
}
"""results.json verdict -> exit status; any other verdict ("error") is a suite failure."""
ALLURE_HISTORY_HELP = (
    "history folder of a previous Allure report, for trends "
    "(default: OUT/allure-report/history when present)"
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad options already; keep its message short and traceback-free."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def project_file(relative: str) -> Path:
    """A file of the source tree (fixtures/): the checkout's, else the working directory's."""
    checkout = Path(__file__).resolve().parent.parent / relative
    return checkout if checkout.exists() else Path.cwd() / relative


# -- run -------------------------------------------------------------------------------------
def _validate_run_inputs(args: argparse.Namespace) -> None:
    """Load profile and target before starting pytest, so bad input exits 2 with every problem
    of the options, the profile and the target file, one line each."""
    from conformance.catalogue import load_catalogue
    from conformance.targets import load_target, select_devices, single_device_target

    found: list[InputError] = []
    broker, attach = getattr(args, "broker", None), getattr(args, "attach", None)
    if attach or broker:
        found += distributed_options.problems(args)
    if attach:
        raise_all(found)
        return
    if not args.profile:
        found.append(InputError("--profile", None, "give the profile to run (see `profiles`)"))
    else:
        try:
            load_catalogue().resolve(args.profile)
        except InputError as exc:
            found.append(exc)
    if bool(args.target) == bool(args.device):
        found.append(
            InputError("options", None, "give exactly one of --target FILE or --device URL")
        )
    else:
        try:
            if args.device:
                single_device_target(args.device, args.user, args.password_env)
            else:
                # A coordinator checks the file without the credentials: its workers hold them.
                target = load_target(args.target, args.ready_file, credentials=not broker)
                select_devices(target, args.only_device)
                if broker:
                    found += distributed_options.literal_user_names(args.target, target)
                if broker and target.spec.vms is not None:
                    found.append(
                        InputError(
                            args.target,
                            "vms",
                            "a distributed run audits devices one by one; run a target with "
                            "a VMS in one process (without --broker)",
                        )
                    )
        except InputError as exc:
            found.append(exc)
    if args.workers < 1:
        found.append(InputError("--workers", None, f"must be at least 1, got {args.workers}"))
    if args.timeout <= 0:
        found.append(InputError("--timeout", None, f"must be positive, got {args.timeout}"))
    if getattr(args, "stimulus", None) == "prompt" and not sys.stdin.isatty():
        found.append(
            InputError(
                "--stimulus", None, "prompt asks the operator, so it needs a terminal on stdin"
            )
        )
    raise_all(found)


def _run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    if getattr(args, "broker", None):
        from conformance.distributed.coordinator import run_distributed

        results: dict | None = run_distributed(args)
    else:
        results = run_suite(args, out)
    if results is None:
        return EXIT_SUITE_ERROR
    write_reports(results, out, getattr(args, "allure_history", None))
    return EXIT_OF_VERDICT.get(results["verdict"], EXIT_SUITE_ERROR)


def _recover(args: argparse.Namespace) -> int:
    """`recover DIR`: results.json (and compliance report) from the journal of a dead run."""
    from conformance.recover import recover
    from reports.compliance import write_compliance

    out = Path(args.dir)
    results = recover(out)
    write_compliance(results, out)
    print_summary(results, out)
    write_pdfs(results, out)
    return EXIT_OF_VERDICT.get(results["verdict"], EXIT_SUITE_ERROR)


def _compare(args: argparse.Namespace) -> int:
    from reports.compare import CompareError, load_columns, write_compare
    from reports.pdf import compare_header, write_pdfs

    try:
        html_path, csv_path = write_compare([Path(d) for d in args.dirs], Path(args.out))
    except CompareError as exc:
        raise InputError("compare", None, str(exc)) from None
    columns = load_columns([Path(d) for d in args.dirs])
    written, problems = write_pdfs([html_path], compare_header(columns))
    print(f"comparison: {html_path}, {csv_path}" + "".join(f", {p}" for p in written))
    for line in problems:
        print(f"cctv-conformance: {line}", file=sys.stderr)
    return 0


# -- demo ------------------------------------------------------------------------------------
def _demo(args: argparse.Namespace) -> int:
    from fake_vms.host import SimulatorThread, write_ready_file
    from fake_vms.site import SiteError, load_site

    out = Path(args.out)
    try:
        site = load_site(
            args.site or project_file("fixtures/sites/demo.yaml"), persona=args.persona
        )
    except SiteError as exc:
        raise InputError("--persona" if args.persona else "--site", None, str(exc)) from None
    print(f"demo: starting the simulator ({len(site.cameras)} camera(s))...", flush=True)
    # The ready file holds the simulator's test credentials: keep it out of the reports folder.
    with SimulatorThread(site) as simulator, tempfile.TemporaryDirectory() as private:
        ready_file = Path(private) / "simulator-ready.json"
        write_ready_file(ready_file, simulator.host.ready())
        run_args = argparse.Namespace(
            target=args.target or str(project_file("fixtures/targets/demo.yaml")),
            device=None,
            user=None,
            password_env=None,
            profile=args.profile,
            mode=args.mode,
            out=str(out),
            ready_file=str(ready_file),
            only_device=[],
            workers=args.workers,
            timeout=args.timeout,
            select=None,
            allure_history=args.allure_history,
        )
        _validate_run_inputs(run_args)
        return _run(run_args)


# -- listings --------------------------------------------------------------------------------
def _profiles(args: argparse.Namespace) -> int:
    from conformance.catalogue import load_catalogue

    for profile in load_catalogue().profiles():
        includes = f" (includes {', '.join(profile.includes)})" if profile.includes else ""
        print(
            f"{profile.id:<24} v{profile.version:<6} {len(profile.requirements):>3} "
            f"requirements  {profile.title}{includes}"
        )
    return 0


def _requirements(args: argparse.Namespace) -> int:
    from conformance.catalogue import load_catalogue

    profile = load_catalogue().resolve(args.profile)
    print(f"{profile.title} ({profile.id} v{profile.version})")
    for entry in profile.requirements:
        req = entry.requirement
        feature = f" [feature: {req.feature}]" if req.feature else ""
        print(
            f"  {req.id:<22} {entry.level:<11} {req.normative:<6} {req.safety:<9} "
            f"{req.title}{feature}"
        )
    return 0


def _merge(args: argparse.Namespace) -> int:
    from conformance.merge import merge_results
    from reports.compliance import write_compliance

    out = Path(args.out)
    merged = merge_results([Path(d) for d in args.dirs], out)
    write_compliance(merged, out)
    print_summary(merged, out)
    write_pdfs(merged, out)
    return EXIT_OF_VERDICT.get(merged["verdict"], EXIT_SUITE_ERROR)


def _quirks(args: argparse.Namespace) -> int:
    from conformance.quirks import render_quirks_table

    table = render_quirks_table()
    if args.write:
        Path(args.write).write_text(table, encoding="utf-8")
    else:
        print(table, end="")
    return 0


def _selftest(args: argparse.Namespace) -> int:
    from conformance.selftest import run_selftest

    if args.jobs is not None and args.jobs < 1:
        raise InputError("--jobs", None, f"must be at least 1, got {args.jobs}")
    return run_selftest(
        profile=args.profile,
        out=Path(args.out),
        jobs=args.jobs,
        personas=args.persona or None,
        timeout=args.timeout,
        full=args.full,
        reruns=args.reruns,
        write_coverage=args.write_coverage,
    )


def _zm(args: argparse.Namespace) -> int:
    from conformance.zoneminder import main as zm_main

    return zm_main(args.zm_args)


# -- parser ----------------------------------------------------------------------------------
def _worker(args: argparse.Namespace) -> int:
    from conformance.distributed.worker_command import run_worker

    return run_worker(args)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cctv-conformance", description="CCTV interoperability conformance suite")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a profile against a target or one device")
    run.add_argument("--target", help="target file (YAML)")
    run.add_argument("--device", help="one ONVIF device service URL (instead of --target)")
    run.add_argument("--user", help="user name for --device")
    run.add_argument("--password-env", help="environment variable holding the --device password")
    run.add_argument("--profile", help="profile ID (see `profiles`)")
    run.add_argument("--out", default="out", help="results directory (default: out)")
    run.add_argument(
        "--mode",
        choices=("passive", "lab"),
        default="passive",
        help="passive = read-only (default); lab = may change and restore settings",
    )
    run.add_argument(
        "--allow-destructive",
        action="store_true",
        help="with --mode lab, also run destructive tests (reboot, factory reset, firmware)",
    )
    run.add_argument("--ready-file", help="take simulator devices from this fake-vms ready file")
    run.add_argument(
        "--only-device",
        action="append",
        default=[],
        metavar="NAME",
        help="check only this device of the target (repeatable)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=4,
        help="devices whose live evidence is gathered at once (default 4)",
    )
    run.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds allowed for each network operation (default 10)",
    )
    run.add_argument(
        "-k",
        "--select",
        help="only tests matching this pytest -k expression; the others are reported not_tested",
    )
    run.add_argument(
        "--tb",
        choices=("line", "short", "long", "no"),
        default="line",
        help="how much of a failing check's traceback to print (default line: the verdict's "
        "reason is in the reports; long helps when debugging a check)",
    )
    run.add_argument(
        "--multicast-interface",
        metavar="NAME",
        help="interface on which the device may send multicast and the suite may join its group "
        "(a lab network or a namespace); without it STREAM-MCAST-01 judges the SDP only and "
        "reports the stream not_tested (environment)",
    )
    run.add_argument(
        "--stimulus",
        metavar="CMD|prompt",
        help="make scene changes for the motion and tampering checks: a shell command run "
        "with CCTV_STIMULUS_DEVICE and CCTV_STIMULUS_KIND (motion or tamper) set, or 'prompt' "
        "to ask the operator on this terminal; without it those checks need a spontaneous "
        "change, else they are not_tested (no stimulus)",
    )
    run.add_argument(
        "--consumer-address",
        metavar="HOST",
        help="address the device sends event notifications to (default: this host's address "
        "on the route to the device)",
    )
    run.add_argument("--allure-history", metavar="DIR", help=ALLURE_HISTORY_HELP)
    distributed_options.add_run_options(run)
    run.set_defaults(func=_run, validate=_validate_run_inputs)

    from conformance.distributed.worker_command import add_worker_parser

    add_worker_parser(sub, _worker)

    demo = sub.add_parser("demo", help="run the baseline profile against the built-in simulator")
    demo.add_argument("--out", default="out")
    demo.add_argument("--profile", default="pictco-la-baseline")
    demo.add_argument("--persona", help="make the simulated camera misbehave as this persona")
    demo.add_argument("--site", help="simulate this site or estate file instead of the demo site")
    demo.add_argument("--target", help="target file for the site (claims, declaration)")
    demo.add_argument("--workers", type=int, default=4, help="devices gathered at once")
    demo.add_argument(
        "--mode",
        choices=("passive", "lab"),
        default="passive",
        help="lab also runs checks that change and restore settings",
    )
    demo.add_argument("--timeout", type=float, default=10.0)
    demo.add_argument("--allure-history", metavar="DIR", help=ALLURE_HISTORY_HELP)
    demo.set_defaults(func=_demo)

    compare = sub.add_parser("compare", help="compare result folders (suppliers side by side)")
    compare.add_argument("dirs", nargs="+", metavar="DIR", help="results folders of earlier runs")
    compare.add_argument("--out", default="out/compare", help="where compare.html goes")
    compare.set_defaults(func=_compare)

    selftest = sub.add_parser(
        "selftest",
        help="run the suite against the known-good simulator and every "
        "persona; fail on any unexpected outcome",
    )
    selftest.add_argument(
        "--profile",
        default="all-requirements",
        help="profile to judge with (default: every requirement)",
    )
    selftest.add_argument("--out", default="out/selftest")
    selftest.add_argument(
        "--jobs",
        type=int,
        default=None,
        help="suite runs in parallel (default: the CPUs plus two, at most 16)",
    )
    selftest.add_argument(
        "--persona", action="append", help="only this persona (repeatable); default all"
    )
    selftest.add_argument("--timeout", type=float, default=10.0)
    selftest.add_argument(
        "--write-coverage",
        action="store_true",
        help="record what each requirement exercised and which personas broke it in "
        "profiles/onvif/coverage-observed.yaml (every other run checks that record)",
    )
    selftest.add_argument(
        "--full",
        action="store_true",
        help="every persona runs the whole profile, not only its breaks, their domains and "
        "the baseline (nightly, pre-release)",
    )
    selftest.add_argument(
        "--reruns",
        type=int,
        default=1,
        help="run a case that is not as expected this many times more; as expected then, it "
        "passes marked flaky (default 1; 0 = strict)",
    )
    selftest.set_defaults(func=_selftest)

    recover = sub.add_parser(
        "recover", help="rebuild results.json from the per-test journal of a run that died"
    )
    recover.add_argument("dir", metavar="DIR", help="results folder of the interrupted run")
    recover.set_defaults(func=_recover)

    merge = sub.add_parser("merge", help="merge per-site results folders into one estate result")
    merge.add_argument("dirs", nargs="+", metavar="DIR", help="results folders (from `run`)")
    merge.add_argument("--out", required=True, help="folder for the merged results and reports")
    merge.set_defaults(func=_merge)

    quirks = sub.add_parser(
        "quirks",
        help="the table of personas, quirks and the checks that catch them (docs/quirks.md)",
    )
    quirks.add_argument("--write", metavar="FILE", help="write the table to FILE")
    quirks.set_defaults(func=_quirks)

    zm = sub.add_parser(
        "zm", help="bring ZoneMinder up or down as a VMS under test (up|down|check)"
    )
    zm.add_argument("zm_args", nargs=argparse.REMAINDER, help="up [--port N] | down | check")
    zm.set_defaults(func=_zm)
    sub.add_parser("profiles", help="list profiles").set_defaults(func=_profiles)
    reqs = sub.add_parser("requirements", help="list the requirements of a profile")
    reqs.add_argument("--profile", required=True)
    reqs.set_defaults(func=_requirements)
    from conformance.planner.cli import add_planner_commands

    add_planner_commands(sub)  # inventory, plan
    from conformance.coverage.command import add_coverage_command

    add_coverage_command(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        validate = getattr(args, "validate", None)
        if validate:
            validate(args)
        return args.func(args)
    except InputError as exc:
        for line in exc.lines():
            print(f"cctv-conformance: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("cctv-conformance: interrupted", file=sys.stderr)
        return EXIT_SUITE_ERROR


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
