"""Neural Playground's web server: HTTP pages and live training sessions over WebSockets.

Everything here is about HTTP and WebSocket concerns; the neural network itself
lives in :mod:`nn_core`, which never imports this package.
"""

from __future__ import annotations

from nn_core import __version__  # the one place the version is written (pyproject reads it too)

__all__ = ["__version__"]
