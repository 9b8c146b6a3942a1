"""The runnable examples in the engine's docstrings stay true."""

import doctest
import importlib
import pkgutil

import pytest

import nn_core

MODULES = sorted(m.name for m in pkgutil.iter_modules(nn_core.__path__, "nn_core.") if m.name != "nn_core.__main__")


@pytest.mark.parametrize("name", ["nn_core", *MODULES])
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
