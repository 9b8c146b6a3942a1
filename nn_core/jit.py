"""The one way the engine compiles: Numba, cached on disk, without the GIL.

Every compiled function of the engine is decorated with :func:`kernel`:

- ``cache=True``: a second process loads the machine code instead of
  compiling again (seconds → milliseconds);
- ``nogil=True``: training threads of one server run on every core;
- ``fastmath`` off: no reassociation, no fused multiply-add, so the compiled
  loops keep the original's order of floating-point operations bit for bit;
- ``error_model="numpy"``: a division by zero gives inf or NaN (a diverging
  network shows as diverged) instead of raising, and the loops need no checks;
- ``_nrt=False``: no reference counting of arrays. The kernels allocate
  nothing (their callers pass every buffer in) and the arrays they get outlive
  the call, so there is nothing to count; but Numba counts each array handed
  to an inlined function (an atomic increment and decrement, per call), and at
  batch size 1 those were ~40% of an epoch (perf: the xor link's training
  pass took 65 µs with them, 34 µs without). The option is one of Numba's
  default target options (numba/core/options.py), private by its leading
  underscore; a kernel that allocates does not compile under it, which keeps
  the rule honest.

Numba keys its cache on each function's own source file only, so a kernel
that calls a kernel of another module would keep stale machine code after an
edit of that module. The cache therefore lives in a directory named after a
digest of the whole engine's source: any edit starts a fresh cache. A
``NUMBA_CACHE_DIR`` set by the user wins.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import numba

F = TypeVar("F", bound=Callable[..., Any])
PACKAGE = Path(__file__).resolve().parent


def _source_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _writable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(directory, os.W_OK)


def _cache_directory() -> Path:
    """``nn_core/__pycache__/numba-<digest>``, or the temp dir when the package is read-only."""
    name = f"numba-{_source_digest()}"
    local = PACKAGE / "__pycache__" / name
    return local if _writable(local) else Path(tempfile.gettempdir()) / "nn_core-cache" / name


if not os.environ.get("NUMBA_CACHE_DIR"):
    cast(Any, numba.config).CACHE_DIR = str(_cache_directory())


# How every kernel compiles (the module docstring says why), whether cached or not.
OPTIONS: dict[str, Any] = {"nogil": True, "fastmath": False, "error_model": "numpy", "_nrt": False}


def kernel(function: F) -> F:
    """Compile ``function`` the engine's way (see the module docstring)."""
    return cast(F, numba.njit(cache=True, **OPTIONS)(function))


def inlined(function: F) -> F:
    """A :func:`kernel` that is compiled into each caller, so constant arguments specialize it.

    The passes take the number of points side by side; a caller that passes
    a literal 1 (batch size 1) gets straight-line code, its loops over points gone.
    """
    return cast(F, numba.njit(cache=True, inline="always", **OPTIONS)(function))
