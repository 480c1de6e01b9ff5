"""Command-line entry points: gui (default), serve, seed, sync, report, suggest.

Every sub-command's arguments are declared here, in one place; the work is done by a
``run(args) -> int`` function in the module that owns it, imported lazily so that
``support-console serve`` never imports Qt and ``support-console`` never imports FastAPI.
"""

from __future__ import annotations

import argparse
import importlib
import sys

DEFAULT_PORT = 8765


def _add_gui_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="helpdesk base URL (https://SUBDOMAIN.zendesk.com or the embedded one)")
    p.add_argument("--email", help="agent email for token auth")
    p.add_argument("--cache", help="path of the local cache file (default: one per account in the user data dir)")
    p.add_argument("--demo", action="store_true", help="use the embedded demo helpdesk even if one is configured")
    p.add_argument("--self-check", action="store_true",
                   help="open the main window on the demo workspace, check it, and exit (0 = healthy)")
    p.add_argument("--verbose", "-v", action="store_true", help="debug logging")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="support-console", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")

    gui = sub.add_parser("gui", help="open the console window (the default)")
    _add_gui_args(gui)

    serve = sub.add_parser("serve", help="run the embedded Zendesk-compatible helpdesk")
    serve.add_argument("--db", help="server database file (default: in the user data dir)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    serve.add_argument("--demo", action="store_true", help="seed the demo workspace into an empty database")
    serve.add_argument("--tickets", type=int, default=300, help="demo tickets to seed with --demo")
    serve.add_argument("--seed", type=int, default=1, help="random seed for the demo workspace")
    serve.add_argument("--admin-token", help="API token of the admin (required with a non-loopback --host); "
                       "the published demo tokens then stop working and the demo accounts get generated "
                       "ones, printed once")
    serve.add_argument("--rate-limit", type=int, default=0, metavar="RPM",
                       help="requests per minute per account before 429 (0 = unlimited)")
    serve.add_argument("--export-delay", type=int, default=60, metavar="SECONDS",
                       help="incremental exports leave out changes younger than this (Zendesk: 60)")
    serve.add_argument("--incremental-limit", type=int, default=0, metavar="RPM",
                       help="incremental export requests per minute (Zendesk: 10; 0 = unlimited)")
    serve.add_argument("--job-delay", type=float, default=0.0, metavar="SECONDS",
                       help="a bulk update or merge job stays queued this long after its answer")
    serve.add_argument("--tls-cert", metavar="PEM", help="serve HTTPS with this certificate (chain) file")
    serve.add_argument("--tls-key", metavar="PEM", help="private key of --tls-cert (if not inside it)")
    serve.add_argument("--parent-pid", type=int, default=0, metavar="PID",
                       help="exit when this process is gone (the app starting its demo helpdesk)")
    serve.add_argument("--verbose", "-v", action="store_true")

    seed = sub.add_parser("seed", help="write the demo workspace into a server database")
    seed.add_argument("--db", required=True)
    seed.add_argument("--tickets", type=int, default=300)
    seed.add_argument("--seed", type=int, default=1)
    seed.add_argument("--admin-token", help="API token of the admin")

    sync = sub.add_parser("sync", help="sync a local cache headlessly")
    sync.add_argument("--url", required=True)
    sync.add_argument("--email", required=True)
    sync.add_argument("--token", help="API token (else $SUPPORT_CONSOLE_TOKEN, else the keyring)")
    sync.add_argument("--cache", required=True)
    mode = sync.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="one pull + push, then exit (the default)")
    mode.add_argument("--watch", action="store_true", help="keep syncing until interrupted")
    sync.add_argument("--verbose", "-v", action="store_true")

    report = sub.add_parser("report", help="export the supervisor dashboard from a cache")
    report.add_argument("--cache", required=True)
    report.add_argument("--csv", required=True, help="CSV file: one row per department and per agent")
    report.add_argument("--png", help="PNG picture of the dashboard")
    report.add_argument("--tz", help="time zone that 'today' means, e.g. Europe/Berlin (default: this machine's)")

    suggest = sub.add_parser("suggest", help="department and ranked canned replies for one cached ticket")
    suggest.add_argument("--cache", required=True)
    suggest.add_argument("--ticket", required=True, type=int)
    suggest.add_argument("--json", action="store_true", help="one JSON object (else a readable list)")
    return parser


COMMANDS = {
    "gui": "console.app",
    "serve": "console.server.main",
    "seed": "console.demo.seed",
    "sync": "console.sync.cli",
    "report": "console.views.report",
    "suggest": "console.suggest",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--helper-process"]:   # the app's helper for work off its GIL (helper_process.py)
        from console.helper_process import serve
        return serve()
    parser = build_parser()
    if not argv or argv[0] not in COMMANDS and argv[0] not in ("-h", "--help"):
        argv.insert(0, "gui")
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command])
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
