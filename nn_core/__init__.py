"""Neural Playground's engine: a faithful, fast NumPy TensorFlow Playground.

>>> from nn_core import Playground
>>> pg = Playground.from_url("#dataset=xor&seed=1&networkShape=3")
>>> pg.step(10); pg.epoch
10
"""

from .playground import Playground
from .settings import Config

__all__ = ["Config", "Playground"]
__version__ = "0.1.0"
