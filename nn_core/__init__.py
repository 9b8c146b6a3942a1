"""Neural Playground's engine: a faithful, fast TensorFlow Playground in NumPy and Numba.

>>> from nn_core import Playground
>>> pg = Playground.from_url("#dataset=xor&seed=1&networkShape=3")
>>> pg.step(10); pg.epoch
10
"""

import os

# The engine multiplies tiny matrices; BLAS worker threads only add overhead
# there and compete with the server's own threads. Effective only when nn_core
# is imported before NumPy (as the CLI and the server do).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

from typing import TYPE_CHECKING, Any  # noqa: E402

from .playground import Playground  # noqa: E402 (after the thread limits above)
from .settings import Config  # noqa: E402

if TYPE_CHECKING:
    from .sweeps import sweep


def __getattr__(name: str) -> Any:
    """``sweep`` is imported on first use: a process that only trains (a server's) does not
    pay for its process pool and CSV machinery at start-up (benchmarks/bench_startup.py)."""
    if name == "sweep":
        from .sweeps import sweep
        return sweep
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Config", "Playground", "sweep"]
__version__ = "0.1.0"  # the project's one version: pyproject.toml and `nn-playground --version` read it
