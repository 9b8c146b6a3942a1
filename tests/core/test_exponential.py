"""The engine's own e^x (nn_core/exponential.py): libm's accuracy, libm's edge cases, vector code."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn_core.exponential import exp, power_of_two
from nn_core.jit import OPTIONS, kernel


@kernel
def exp_of_each(x: np.ndarray, out: np.ndarray) -> None:
    for i in range(x.size):
        out[i] = exp(x[i])


def exps(values: np.ndarray) -> np.ndarray:
    out = np.empty_like(values)
    exp_of_each(values, out)
    return out


def ulps_from_exact(values: np.ndarray, results: np.ndarray) -> np.ndarray:
    """|result − e^x| in units of the last place of the float64 result (e^x in x87 long double)."""
    exact = np.exp(values.astype(np.longdouble))
    return np.asarray(np.abs(results.astype(np.longdouble) - exact) / np.spacing(np.abs(results)), dtype=float)


@pytest.mark.skipif(np.finfo(np.longdouble).nmant <= np.finfo(np.float64).nmant, reason="no wider float here")
def test_within_one_ulp_of_the_exact_value_across_the_finite_range() -> None:
    rng = np.random.default_rng(7)
    values = np.concatenate((rng.uniform(-30.0, 30.0, 200_000), rng.uniform(-708.0, 709.0, 50_000),
                             rng.uniform(-1e-6, 1e-6, 10_000)))
    assert ulps_from_exact(values, exps(values)).max() < 1.0


def test_agrees_with_libm_to_the_last_bit_or_one_ulp() -> None:
    values = np.random.default_rng(8).uniform(-50.0, 50.0, 100_000)
    ours, libm = exps(values), np.array([math.exp(v) for v in values])
    assert np.all(np.abs(ours - libm) <= np.spacing(libm))
    assert np.mean(ours == libm) > 0.8  # mostly the very same number


@pytest.mark.parametrize(("x", "expected"), [
    (0.0, 1.0), (-0.0, 1.0), (math.inf, math.inf), (-math.inf, 0.0),
    (709.78, math.exp(709.78)), (709.79, math.inf), (1e6, math.inf),  # the largest finite, then overflow
    (-708.4, math.exp(-708.4)), (-745.1, math.exp(-745.1)),  # subnormal results, as libm's
    (-745.2, 0.0), (-1e6, 0.0), (1e-300, 1.0), (-1e-300, 1.0),
])
def test_edges_are_libms(x: float, expected: float) -> None:
    assert exps(np.array([x]))[0] == expected


def test_nan_stays_nan() -> None:
    assert math.isnan(exps(np.array([math.nan]))[0])


@settings(deadline=None)  # its first example may compile the kernel
@given(st.floats(min_value=-800.0, max_value=800.0))
def test_any_float_within_one_ulp_of_libm(x: float) -> None:
    with np.errstate(over="ignore"):
        libm = float(np.exp(np.float64(x)))  # inf beyond 709.78, where math.exp raises
    ours = exps(np.array([x]))[0]
    assert ours == libm or abs(ours - libm) <= np.spacing(libm)


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="without the JIT it is math.ldexp itself")
def test_power_of_two_of_every_normal_exponent() -> None:
    assert all(power_of_two(k) == math.ldexp(1.0, k) for k in range(-1022, 1024))


def libm_exp_of_each(x: np.ndarray, out: np.ndarray) -> None:
    """The loop as it was, with libm's exp: the control that the check below must catch."""
    for i in range(x.size):
        out[i] = math.exp(x[i])


def vectorized_without_exp(loop: Callable[[np.ndarray, np.ndarray], None]) -> bool:
    """Whether ``loop``, compiled the engine's way but uncached (cached code has no IR to
    inspect), divides on vectors (any width: SSE2's 2 lanes up to AVX-512's 8) and calls no exp."""
    compiled = numba.njit(**OPTIONS)(loop)
    compiled(np.zeros(8), np.empty(8))
    ir = "\n".join(compiled.inspect_llvm().values())
    return bool(re.search(r"fdiv <\d+ x double>", ir)) and not re.search(r"@(llvm\.)?exp\b", ir)


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="machine code")
def test_a_loop_of_exponentials_compiles_to_vector_code_without_calls() -> None:
    """What it is for: libm's exp, a call per element, keeps a loop scalar."""
    assert vectorized_without_exp(exp_of_each.py_func)
    assert not vectorized_without_exp(libm_exp_of_each)
