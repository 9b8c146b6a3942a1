"""``python -m nn_core train ...``: the engine's CLI without the server."""

import sys

from .cli import main

sys.exit(main())
