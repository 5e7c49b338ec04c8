"""cashflow.Monthly: its lazy parts (difference terms, row x per-sample factor pairs) give
the same series as building every part whole, through add, merge, times and cumulative."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from estimator.engine.cashflow import Monthly, as_column, ramp, spread_row, step

N = 30
SAMPLES = 4


@st.composite
def parts(draw):
    """A list of (kind, amount is per-sample, start, months) to add to a Monthly."""
    kinds = st.sampled_from(["spread", "step", "point", "ramp", "row", "dense"])
    return draw(st.lists(st.tuples(kinds, st.booleans(), st.integers(-5, N + 5),
                                   st.integers(1, 12)), min_size=1, max_size=8))


def build(spec, rng):
    """The Monthly and the same series built whole, (SAMPLES, N)."""
    m, whole = Monthly(N), np.zeros((SAMPLES, N))
    for kind, sampled, start, months in spec:
        amount = rng.uniform(1, 10, SAMPLES) if sampled else float(rng.uniform(1, 10))
        col = as_column(amount)
        if kind == "spread":
            m.spread(amount, start, months)
            whole = whole + col * spread_row(start, months, N)
        elif kind == "step":
            m.step(amount, max(start, 0))
            whole = whole + col * step(max(start, 0), N)
        elif kind == "point":
            m.point(amount, start)
            whole = whole + col * (np.arange(N) == start)
        elif kind == "ramp":
            m.ramp(amount, start, months)
            whole = whole + col * ramp(start, months, N)
        elif kind == "row":
            row = rng.uniform(0, 5, N)
            m.add(row)
            whole = whole + row
        else:
            dense = rng.uniform(0, 5, (SAMPLES, N))
            m.add(dense)
            whole = whole + dense
    return m, whole


def as_samples(x):
    return np.broadcast_to(np.asarray(x, dtype=float), (SAMPLES, N))


@settings(max_examples=60, deadline=None)
@given(a=parts(), b=parts(), seed=st.integers(0, 2**16))
def test_lazy_parts_equal_the_whole_series(a, b, seed):
    rng = np.random.default_rng(seed)
    ma, wa = build(a, rng)
    mb, wb = build(b, rng)
    price = rng.uniform(0.05, 0.1, SAMPLES)     # per-sample factor, as an uncertain price
    rate = 0.25                                  # month-only factor

    def by_price(x, whole):
        return x * (as_column(price) if whole else price)

    def by_rate(x, whole):
        return x * rate

    scaled = ma.times(by_price)                  # rows become (factor, row) pairs
    assert np.allclose(as_samples(scaled.value()), wa * price[:, None], rtol=1e-12, atol=1e-9)
    twice = scaled.times(by_price).times(by_rate)
    assert np.allclose(as_samples(twice.value()), wa * (price ** 2 * rate)[:, None],
                       rtol=1e-12, atol=1e-9)
    merged = ma.times(by_price).merge(mb.times(by_price)).merge(mb)
    expect = (wa + wb) * price[:, None] + wb
    assert np.allclose(as_samples(merged.value()), expect, rtol=1e-12, atol=1e-9)
    assert np.allclose(as_samples(merged.cumulative().value()), np.cumsum(expect, axis=-1),
                       rtol=1e-12, atol=1e-8)


def test_a_month_only_series_stays_month_only_and_exact():
    m = Monthly(N).add(np.arange(N, dtype=float)).times(lambda x, whole: x * 3.0)
    assert m.value().shape == (N,)
    assert np.array_equal(m.value(), np.arange(N) * 3.0)


def test_zero_rows_times_a_per_sample_factor_make_no_whole_array():
    """Nothing month-only to scale: only the terms are scaled (the case that made a
    (samples, months) array of zeros for every fleet at a site with an uncertain price)."""
    price = np.array([1.0, 2.0, 3.0])
    m = Monthly(N).ramp(np.array([10.0, 20.0, 30.0]), 2, 4)
    out = m.times(lambda x, whole: x * (as_column(price) if whole else price))
    assert out.dense is None and not out.outer
    assert out.value()[:, -1] == pytest.approx([10.0, 40.0, 90.0])
