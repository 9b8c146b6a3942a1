"""The kernels are compiled once, cached on disk, and release the GIL."""

import numba
import pytest

from nn_core import Playground
from nn_core.epoch import gradient_sum, loss_sum, train_epoch

KERNELS = [train_epoch, loss_sum, gradient_sum]
jit_only = pytest.mark.skipif(numba.config.DISABLE_JIT, reason="NUMBA_DISABLE_JIT: plain Python")


@jit_only
@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
def test_kernels_are_cached_release_the_gil_and_keep_numpy_errors(kernel):
    assert kernel.targetoptions["nogil"] is True
    assert kernel.targetoptions["error_model"] == "numpy"
    assert kernel.targetoptions.get("fastmath", False) is False
    assert kernel._cache.__class__.__name__ == "FunctionCache"


@jit_only
def test_one_compiled_signature_serves_every_shape_and_setting():
    links = ["#seed=1", "#seed=1&networkShape=&x=false&y=false", "#seed=1&networkShape=8,8,8&activation=relu",
             "#seed=1&optimizer=adam&loss=crossEntropy&batchSize=1&learningRate=1",
             "#seed=1&problem=regression&regularization=L1&regularizationRate=0.1&optimizer=momentum"]
    for link in links:
        playground = Playground.from_url(link)
        playground.step(2)
        playground.gradient_check()
    for kernel in KERNELS:
        assert len(kernel.signatures) == 1, kernel.__name__
