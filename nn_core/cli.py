"""``nn-playground train | export | sweep``: the engine from a shell.

With ``--json`` stdout carries exactly one JSON object per epoch (epoch 0
first, floats at full precision) so it pipes into other tools: the losses, the
metrics (``train_accuracy``/``test_accuracy``, or ``train_r2``/``test_r2``/
``train_mae``/``test_mae``; null where undefined) and the learning rate the next
epoch trains with. Warnings about the link and why training stopped early (a stop
condition of the link) go to stderr; the progress bar is drawn only on a terminal.
A model exported with ``export`` (or the page's "Export model") goes wherever
a link goes: ``train model.json`` continues it.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .comparison import Comparison, ComparisonError, compare_part, compare_text
from .playground import Playground
from .progress import Advance, progress_bar
from .sweeps import SweepError, check_results_path, combinations, parse_grid, sweep

MAX_EPOCHS = 10_000_000
MAX_JOBS = 256
Register = Callable[["argparse._SubParsersAction[argparse.ArgumentParser]"], None]
LINK = "#dataset=xor&networkShape=4,2&seed=1"

EXAMPLES = f"""examples:
  nn-playground train '{LINK}' --epochs 500
  nn-playground train '{LINK}' --epochs 100 --json | tail -n 1
  nn-playground export '{LINK}' --epochs 500 -o model.json
  nn-playground train model.json --epochs 500 -o model.json     # continue the exported model
  nn-playground sweep '{LINK}' --set learningRate=0.003,0.03,0.3 --set activation=tanh,relu \\
      --epochs 500 --jobs 2 -o results.csv
  nn-playground serve --port 8000
"""


class CommandError(Exception):
    """Input the command cannot use (a missing model file, a bad grid): printed, exit code 2."""


def _bounded(what: str, hi: int, lo: int = 0) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number of {what}, got {text!r}") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{what} must be between {lo} and {hi}")
        return value
    return parse


_epochs = _bounded("epochs", MAX_EPOCHS)


def build_parser(extra_commands: Register | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nn-playground", description="Neural Playground: train a network "
                                     "from a playground link, in a shell or in the browser.", epilog=EXAMPLES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    _add_train(commands)
    _add_export(commands)
    _add_sweep(commands)
    if extra_commands:
        extra_commands(commands)
    return parser


def _command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str,
             examples: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=help_text, description=help_text, epilog=f"examples:\n{examples}",
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def _add_source(command: argparse.ArgumentParser) -> None:
    command.add_argument("source", metavar="LINK_OR_MODEL",
                         help="a playground URL, the part after '#', or a model file from `export`")
    command.add_argument("--epochs", type=_epochs, default=100, help="epochs to train (default 100)")


def _add_train(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    train = _command(commands, "train", "train a link or an exported model and print its losses",
                     f"  nn-playground train '{LINK}' --epochs 500\n"
                     "  nn-playground train model.json --epochs 200 -o model.json")
    _add_source(train)
    train.add_argument("--json", action="store_true", help="one JSON object per epoch on stdout")
    train.add_argument("-o", "--output", type=Path, help="save the trained model (JSON) to this file")
    train.set_defaults(handler=run_train)


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export = _command(commands, "export", "train, then save the model (settings, points, weights, history)",
                      f"  nn-playground export '{LINK}' --epochs 500 -o model.json")
    _add_source(export)
    export.set_defaults(epochs=0)
    export.add_argument("-o", "--output", type=Path, help="the model file (default: stdout)")
    export.set_defaults(handler=run_export)


def _add_sweep(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sweep_command = _command(
        commands, "sweep", "train every combination of some settings from one link and compare them",
        f"  nn-playground sweep '{LINK}' --set learningRate=0.003,0.03,0.3 --set activation=tanh,relu\n"
        f"  nn-playground sweep '{LINK}' --set networkShape=2/4,2/8,8 --jobs 2 -o results.json\n"
        f"  nn-playground sweep '{LINK}' --set noise=0,25,50 --dask tcp://scheduler:8786")
    sweep_command.add_argument("link", help="a playground URL or the part after '#' (its seed and points are kept)")
    sweep_command.add_argument("--set", dest="grid", action="append", required=True, metavar="NAME=V1,V2,...",
                               help="a setting and the values to try (layer sizes split by '/'); repeat it")
    sweep_command.add_argument("--epochs", type=_epochs, default=100, help="epochs per run (default 100)")
    sweep_command.add_argument("--jobs", type=_bounded("jobs", MAX_JOBS, lo=1), default=1,
                               help="local processes to train in (default 1)")
    sweep_command.add_argument("--dask", metavar="ADDRESS", help="a Dask scheduler to train on instead")
    sweep_command.add_argument("-o", "--output", type=Path, action="append", default=[],
                               help="also write the table to this .csv or .json file; repeat for both")
    sweep_command.add_argument("--json", action="store_true", help="print the table as JSON instead of text")
    sweep_command.set_defaults(handler=run_sweep)


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


def open_source(source: str) -> Playground:
    """A link, or a model file written by ``export`` (or the page's "Export model")."""
    path = Path(source)
    if not path.is_file():
        if path.suffix == ".json":
            raise CommandError(f"{source}: no such model file")
        playground = Playground.from_url(source)
        for warning in playground.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        return playground
    try:
        return Playground.load(json.loads(path.read_text()))
    except (OSError, UnicodeDecodeError, ValueError) as error:  # JSONDecodeError is a ValueError
        raise CommandError(f"{source}: not a model this playground exported ({error})") from None


def open_b(source: str) -> Playground | None:
    """Side B of a comparison link (one with ``compare=``), or None; a bad ``compare=`` is an error."""
    if Path(source).is_file() or compare_text(source) is None:
        return None
    try:
        return Comparison.from_link(source).b
    except ComparisonError as error:
        raise CommandError(str(error)) from None


def _losses(playground: Playground) -> str:
    return (f"epoch {playground.epoch}: train loss {playground.train_loss:.6f}, "
            f"test loss {playground.test_loss:.6f}")


def _save(playground: Playground, path: Path) -> None:
    try:
        path.write_text(json.dumps(playground.export()) + "\n")
    except OSError as error:
        raise CommandError(f"{path}: cannot write the model ({error.strerror})") from None


def _train(playground: Playground, epochs: int, shown: Advance) -> None:
    """Train in about a hundred chunks so the bar moves and the engine keeps its speed."""
    start, chunk = playground.epoch, max(1, epochs // 100)
    while playground.epoch - start < epochs and playground.stop is None:
        playground.step(min(chunk, epochs - (playground.epoch - start)))
        shown(playground.epoch - start)


def run_train(args: argparse.Namespace) -> int:
    playground = open_source(args.source)
    b = None if args.json else open_b(args.source)
    if args.json:
        print(_line(playground))
        for _ in range(args.epochs):
            if playground.stop is not None:
                break
            playground.step()
            print(_line(playground))
        _stopped(playground, sys.stderr)
    else:
        with progress_bar(args.epochs, "epochs") as shown:
            _train(playground, args.epochs, shown)
        _stopped(playground, sys.stdout)
        print(_losses(playground))
        print(f"link: {playground.to_url()}")
    if b is not None:  # a comparison link: B, trained the same epochs (the JSON lines are A's)
        _train(b, args.epochs, lambda done: None)
        _stopped(b, sys.stdout)
        print(f"B: {_losses(b)}")
        print(f"comparison link: {playground.to_url()}{compare_part(playground.config, b.config)}")
    if args.output:
        _save(playground, args.output)
    return 0


def run_export(args: argparse.Namespace) -> int:
    playground = open_source(args.source)
    with progress_bar(args.epochs, "epochs") as shown:
        _train(playground, args.epochs, shown)
    _stopped(playground, sys.stderr)
    if args.output:
        _save(playground, args.output)
        print(f"epoch {playground.epoch}: saved to {args.output}", file=sys.stderr)
    else:
        print(json.dumps(playground.export()))
    return 0


def run_sweep(args: argparse.Namespace) -> int:
    try:
        grid = parse_grid(args.grid)
        for path in args.output:
            check_results_path(path)
        with progress_bar(len(combinations(grid)), "runs") as shown:
            table = sweep(args.link, grid, args.epochs, jobs=args.jobs, dask=args.dask,
                          progress=lambda done, total: shown(done))
        for path in args.output:
            table.write(path)
    except (SweepError, OSError) as error:
        raise CommandError(str(error)) from None
    print(table.to_json() if args.json else table.text())
    return 0


def main(argv: Sequence[str] | None = None, extra_commands: Register | None = None) -> int:
    args = build_parser(extra_commands).parse_args(argv)
    try:
        return int(args.handler(args))
    except CommandError as error:
        print(f"nn-playground {args.command}: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
