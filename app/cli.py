"""``nn-playground``: the engine's commands (``train``, ``export``, ``sweep``) plus ``serve`` for the web app.

The engine owns the parser (:func:`nn_core.cli.main`); this module only adds
the ``serve`` subcommand, so ``nn_core`` never has to know the server exists.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from nn_core import cli as core_cli

from .config import BOUNDS, WORKER_BOUNDS, AppSettings, Bounds, ConfigError, variable
from .cores import default_processes


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve [--host] [--port] [--workers]`` to the engine's command line."""
    try:
        defaults = AppSettings.from_env()
    except ConfigError:  # reported by `serve` itself; `train` must still work
        defaults = AppSettings()
    serve = subparsers.add_parser("serve", help="run the web app (open the printed address)")
    serve.add_argument("--host", default=defaults.host, help=f"address to bind (default {defaults.host})")
    serve.add_argument("--port", type=_port, default=defaults.port,
                       help=f"port to bind (default {defaults.port})")
    cores = min(default_processes(), int(WORKER_BOUNDS.hi))
    serve.add_argument("--workers", type=_workers, default=cores,
                       help=f"server processes, each on a core of its own and with its own sessions "
                            f"(default: one per core, here {cores})")
    serve.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"),
                       help="uvicorn's log level (default info)")
    serve.set_defaults(handler=serve_command)


def uvicorn_options(args: argparse.Namespace, settings: AppSettings) -> dict[str, Any]:
    """The keyword arguments ``serve`` gives uvicorn (:func:`uvicorn.run`, or each process's ``Config``)."""
    from .transport import uvicorn_limits  # imports uvicorn: only for `serve`

    return {"factory": True, "host": args.host, "port": args.port, "log_level": args.log_level,
            **uvicorn_limits(settings)}


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn  # only `serve` needs it; `train` stays quick to start

    from .workers import FACTORY, serve_processes

    try:
        settings = AppSettings.from_env()
    except ConfigError as error:
        print(f"nn-playground serve: {error}", file=sys.stderr)
        return 2
    # The app factory (in every worker process) reads its settings from the environment:
    # the address given here is one of the host names it answers to.
    os.environ[variable("host")] = args.host
    options = uvicorn_options(args, settings)
    if args.workers > 1:  # one process per core, handed its connections by a supervisor
        return serve_processes(options, args.workers)
    print(f"Neural Playground: open http://{args.host}:{args.port}/", flush=True)
    uvicorn.run(FACTORY, **options)
    return 0


def _port(text: str) -> int:
    return _bounded_int(text, BOUNDS["port"], "port")


def _workers(text: str) -> int:
    return _bounded_int(text, WORKER_BOUNDS, "workers")


def _bounded_int(text: str, bounds: Bounds, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what}: expected a whole number, got {text!r}") from None
    if value not in bounds:
        raise argparse.ArgumentTypeError(f"{what}: must be between {bounds.lo} and {bounds.hi}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point: ``train`` (the engine's) and ``serve``."""
    return core_cli.main(argv, extra_commands=register)
