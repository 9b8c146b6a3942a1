"""nginx in the foreground as a child process, with deploy/'s configuration, on a loopback port.

Everything nginx writes (pid, logs, temporary files) goes under a directory of
the test's own; nothing of the system's nginx is used or touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from deploy.nginx_conf import write
from tests.servers import LoopbackChild, free_port


def nginx_binary() -> str | None:
    """``NGINX_PATH``, else nginx on PATH, else Debian's /usr/sbin/nginx; None when there is none."""
    candidates = [os.environ.get("NGINX_PATH"), shutil.which("nginx"), "/usr/sbin/nginx"]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


class Nginx(LoopbackChild):
    """``with Nginx(binary, backends, workdir) as nginx: nginx.url`` — stopped on exit (SIGTERM: fast shutdown)."""

    def __init__(self, binary: str, backends: Sequence[str], workdir: Path) -> None:
        self.binary = binary
        self.port = free_port()
        self.workdir = workdir
        self.conf = write(f"127.0.0.1:{self.port}", backends, workdir)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, seconds: float = 10) -> Nginx:
        command = [self.binary, "-p", str(self.workdir), "-e", str(self.workdir / "error.log"),
                   "-c", str(self.conf), "-g", "daemon off;"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + seconds
        while not self._listening():
            if self.process.poll() is not None:
                errors = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"nginx exited: {errors}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nginx did not listen on {self.port} within {seconds} s")
            time.sleep(0.05)
        return self

    def _listening(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

