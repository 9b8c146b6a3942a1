"""The kernels are compiled once, cached on disk, and release the GIL."""

import numba
import numpy as np
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


@jit_only
def test_the_engines_compiled_code_counts_no_references():
    """Numba counts each array handed to an inlined function (an atomic increment and decrement
    per call): at batch size 1 that was ~40% of an epoch. The engine's options turn it off."""
    from nn_core.epoch import learn
    from nn_core.jit import OPTIONS

    def examples(params, layout, hidden, output, loss, inputs, labels, neurons, gradient):
        for start in range(labels.shape[0]):  # as train_epoch at batch size 1
            learn(params, layout, hidden, output, loss, inputs, labels, start, 1, neurons, gradient)

    trainer = Playground.from_url("#seed=1&batchSize=1").trainer
    args = (trainer.net.params.copy(), trainer.layout, trainer.hidden, trainer.output, trainer.loss,
            trainer.inputs, trainer.labels, trainer.neurons.copy(), np.zeros_like(trainer.net.params))
    for options, counts in ((OPTIONS, False), ({**OPTIONS, "_nrt": True}, True)):
        compiled = numba.njit(**options)(examples)
        compiled(*args)
        llvm = "".join(compiled.inspect_llvm().values())
        assert ("NRT_incref" in llvm) == counts, options
