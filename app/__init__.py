"""Neural Playground's web server: HTTP pages and live training sessions over WebSockets.

Everything here is about HTTP and WebSocket concerns; the neural network itself
lives in :mod:`nn_core`, which never imports this package.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("neural-playground")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"
