"""Render deploy/nginx.conf.template for a set of backends.

One renderer for the run script and the test, so the configuration the test
proves is the one people run. Standard library only: it runs before any
virtual environment exists.

    python deploy/nginx_conf.py --listen 127.0.0.1:8080 --prefix /tmp/nnp-nginx \\
        --backend 127.0.0.1:8001 --backend 127.0.0.1:8002

writes /tmp/nnp-nginx/nginx.conf (and nginx's temporary directories) and prints its path.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
# How long nginx skips a backend after it refused a connection: short, so a restarted
# process gets new pages again soon; each retry of a dead one costs one refused connect.
FAIL_TIMEOUT_SECONDS = 3
# nginx's temporary directories that must exist under the prefix.
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def backend_lines(backends: Sequence[str]) -> str:
    """One ``server`` line per ``host:port``."""
    if not backends:
        raise ValueError("at least one backend is needed")
    return "\n".join(f"        server {address} max_fails=1 fail_timeout={FAIL_TIMEOUT_SECONDS}s;"
                     for address in backends)


def render(listen: str, backends: Sequence[str], prefix: Path, template: Path = TEMPLATE) -> str:
    """The configuration text: nginx on ``listen`` in front of ``backends``, its files under ``prefix``."""
    values = {"listen": listen, "backends": backend_lines(backends), "prefix": str(prefix)}
    text = template.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError(f"{template} has a placeholder this renderer does not know")
    return text


def write(listen: str, backends: Sequence[str], prefix: Path) -> Path:
    """Render into ``prefix/nginx.conf`` and create the directories nginx writes to; return the file."""
    for name in TEMP_DIRS:
        (prefix / name).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(render(listen, backends, prefix), encoding="utf-8")
    return conf


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True, help="nginx's address, e.g. 127.0.0.1:8080")
    parser.add_argument("--prefix", required=True, type=Path, help="directory for nginx's pid, logs, temp files")
    parser.add_argument("--backend", action="append", required=True, help="host:port of a `serve` (repeat)")
    args = parser.parse_args(argv)
    print(write(args.listen, args.backend, args.prefix.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
