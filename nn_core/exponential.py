"""e^x in plain arithmetic, so a loop of them over a neuron's points compiles to vector code.

tanh and sigmoid are written with e^x, and a call of libm's ``exp`` per
point kept their loops scalar: on the default link the exponentials were ~40%
of an epoch. This is the classic algorithm of fdlibm's ``e_exp.c`` (the one
behind the original playground's ``Math.exp`` in V8), with no branch and no
table:

1. x = k·ln 2 + r with k the integer nearest x / ln 2 and |r| ≤ ln 2 / 2;
   ln 2 is split in a high part whose product with k is exact, and a low part;
2. e^r from fdlibm's degree-5 rational approximation (error < 1 ulp);
3. e^x = e^r · 2^k, multiplied in two halves of 2^k so that results that
   overflow, that are subnormal or that vanish come out as libm's do.

Inputs beyond the range where e^x is finite and not zero are clamped first (to
inf and 0 they still go); NaN stays NaN. The result is within 1 ulp of the
exact value, as libm's; the two differ in the last bit now and then, which
the goldens and the NumPy reference do not notice (tests/core/test_exponential.py).
"""

from __future__ import annotations

import math
from typing import Any, cast

import numba
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from .jit import inlined

# Rounds x / ln 2 to the nearest integer in floating point: adding 1.5·2^52 leaves no
# fraction bits, so (x·log2(e) + SHIFT) − SHIFT is that integer.
SHIFT = 6755399441055744.0
LOG2_E = 1.44269504088896338700e00
LN2_HIGH = 6.93147180369123816490e-01  # ln 2's leading 32 bits: k · LN2_HIGH is exact for |k| < 2^11
LN2_LOW = 1.90821492927058770002e-10  # ln 2 − LN2_HIGH
P1 = 1.66666666666666019037e-01
P2 = -2.77777777770155933842e-03
P3 = 6.61375632143793436117e-05
P4 = -1.65339022054652515390e-06
P5 = 4.13813679705723846039e-08
# e^x overflows above ~709.78 and is 0 below ~−745.13: clamped here, k stays within ±1100.
HIGHEST = 710.0
LOWEST = -746.0
EXPONENT_BIAS = 1023
MANTISSA_BITS = 52


@intrinsic
def _float_from_bits(typingctx: Any, bits: Any) -> Any:
    """The float64 whose IEEE 754 bits are the int64 ``bits`` (a bitcast: free, and vectorizable)."""
    if not isinstance(bits, types.Integer):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


if cast(Any, numba.config).DISABLE_JIT:  # plain Python (NUMBA_DISABLE_JIT=1): no intrinsics there
    def power_of_two(k: int) -> float:
        """2^k for a k of a normal float64's exponent (−1022…1023)."""
        return math.ldexp(1.0, k)
else:
    @inlined
    def power_of_two(k: int) -> float:
        """2^k for a k of a normal float64's exponent (−1022…1023), built from its bits."""
        # (mypy sees the intrinsic's Python signature, with numba's typing context first)
        return _float_from_bits((k + EXPONENT_BIAS) << MANTISSA_BITS)  # type: ignore[call-arg]


@inlined
def exp(x: float) -> float:
    """e^x within 1 ulp, in arithmetic a vectorizing compiler keeps in vector registers."""
    x = LOWEST if x < LOWEST else (HIGHEST if x > HIGHEST else x)  # NaN passes through
    k_float = (x * LOG2_E + SHIFT) - SHIFT
    k_float = 0.0 if math.isnan(k_float) else k_float  # NaN: any k will do, the result is NaN
    high = x - k_float * LN2_HIGH
    low = k_float * LN2_LOW
    r = high - low
    rr = r * r
    c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))))
    y = 1.0 - ((low - (r * c) / (2.0 - c)) - high)
    k = int(k_float)
    half = k >> 1  # 2^k as 2^half · 2^(k − half): both normal for every k the clamp allows
    return y * power_of_two(half) * power_of_two(k - half)
