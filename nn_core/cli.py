"""``nn-playground train URL_OR_HASH --epochs N [--json]``: the engine from a shell.

With ``--json`` stdout carries exactly one JSON object per epoch (epoch 0
first, floats at full precision) so it pipes into other tools: the losses, the
metrics (``train_accuracy``/``test_accuracy``, or ``train_r2``/``test_r2``/
``train_mae``/``test_mae``; null where undefined) and the learning rate the next
epoch trains with. Warnings about the link, the progress bar and why training
stopped early (a stop condition of the link) go to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from . import __version__
from .playground import Playground

MAX_EPOCHS = 10_000_000
Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]


def _epochs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of epochs, got {text!r}") from None
    if not 0 <= value <= MAX_EPOCHS:
        raise argparse.ArgumentTypeError(f"epochs must be between 0 and {MAX_EPOCHS}")
    return value


def build_parser(extra_commands: Register | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-playground", description="Neural Playground")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a playground link and print its losses")
    train.add_argument("link", help="a playground URL or the part after '#'")
    train.add_argument("--epochs", type=_epochs, default=100, help="epochs to train (default 100)")
    train.add_argument("--json", action="store_true", help="one JSON object per epoch on stdout")
    train.set_defaults(handler=run_train)
    if extra_commands:
        extra_commands(commands)
    return parser


def epoch_record(playground: Playground) -> dict[str, float | int | None]:
    """One epoch's line of ``--json``, as a dict: the one place its keys are chosen."""
    record: dict[str, float | int | None] = {"epoch": playground.epoch, "train_loss": playground.train_loss,
                                             "test_loss": playground.test_loss}
    for name, value in playground.metrics.items():
        record[name] = value if math.isfinite(value) else None
    record["learning_rate"] = playground.learning_rate
    return record


def _line(playground: Playground) -> str:
    return json.dumps(epoch_record(playground))


def _stopped(playground: Playground, stream: TextIO) -> None:
    """Say why training ended before its epochs, if a stop condition ended it."""
    stop = playground.stop
    if stop is not None:
        print(f"stopped ({stop.reason}): {stop.message}", file=stream)


def _progress(done: int, total: int, stream: TextIO) -> None:
    width = 30
    filled = width * done // max(total, 1)
    stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} epochs")
    stream.flush()


def run_train(args: argparse.Namespace) -> int:
    playground = Playground.from_url(args.link)
    for warning in playground.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print(_line(playground))
        for _ in range(args.epochs):
            if playground.stop is not None:
                break
            playground.step()
            print(_line(playground))
        _stopped(playground, sys.stderr)
        return 0
    chunk = max(1, args.epochs // 100)
    while playground.epoch < args.epochs and playground.stop is None:
        playground.step(min(chunk, args.epochs - playground.epoch))
        _progress(playground.epoch, args.epochs, sys.stderr)
    sys.stderr.write("\n")
    _stopped(playground, sys.stdout)
    print(f"epoch {playground.epoch}: train loss {playground.train_loss:.6f}, "
          f"test loss {playground.test_loss:.6f}")
    print(f"link: {playground.to_url()}")
    return 0


def main(argv: Sequence[str] | None = None, extra_commands: Register | None = None) -> int:
    args = build_parser(extra_commands).parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
