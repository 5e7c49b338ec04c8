import math

import pytest
from hypothesis import given, strategies as st

from estimator import units
from estimator.errors import UnitError

EXAMPLES = [
    ("$40B", "money", 40e9), ("$27k", "money", 27e3), ("$1.2T", "money", 1.2e12),
    ("1.2 GW", "power", 1.2e9), ("700 W", "power", 700.0), ("$0.08/kWh", "energy_price", 0.08),
    ("90 days", "duration", 90 * 24.0), ("4 years", "duration", 4 * 8766.0),
    ("3.8e25 FLOP", "compute", 3.8e25), ("989 TFLOP/s", "throughput", 989e12),
    ("$2/GPU-hour", "gpu_hour_price", 2.0), ("$11.7M/MW", "usd_per_w", 11.7),
    ("35%", "fraction", 0.35), ("400_000", "count", 400_000), ("16,384", "count", 16384),
    ("405B", "amount", 405e9), ("15.6T tokens", "amount", 15.6e12), ("$150/kW-month",
    "usd_per_w_month", 0.15), ("$80/MWh", "energy_price", 0.08), ("96 GiB", "bytes", 96 * 2**30),
    ("3e27", "compute", 3e27), (5e9, "money", 5e9), (400000, "count", 400000),
]


@pytest.mark.parametrize("text,dim,expected", EXAMPLES)
def test_examples_parse(text, dim, expected):
    assert units.parse(text, dim) == pytest.approx(expected, rel=1e-12)


def test_bare_number_in_a_field_unit():
    assert units.parse(5, "duration", bare="years") == 5 * 8766.0
    assert units.parse("5", "duration", bare="years") == 5 * 8766.0


@pytest.mark.parametrize("text,dim,message", [
    ("700 W", "money", "'W' is a unit of power, not money"),
    ("$5B", "power", "money where power belongs"),
    ("5 furlongs", "power", "unknown unit 'furlongs'"),
    ("1e400", "money", "not a finite number"),
    (float("nan"), "money", "not a finite number"),
    ("2.5", "count", "not a whole number"),
    ("lots", "money", "not a number with a unit"),
    (True, "money", "not a quantity"),
])
def test_errors_name_the_problem_and_list_what_is_accepted(text, dim, message):
    with pytest.raises(UnitError) as e:
        units.parse(text, dim)
    assert message in e.value.message
    assert units.DIMENSIONS[dim].examples in e.value.expected


@pytest.mark.parametrize("value,dim,text", [
    (40e9, "money", "$40.0B"), (1.2e9, "power", "1.20 GW"), (3.8e25, "compute", "3.8e25 FLOP"),
    (1.2e12, "money", "$1.20T"), (0.35, "fraction", "35%"), (400000, "count", "400,000"),
    (11.7, "usd_per_w", "$11.7M/MW"), (989e12, "throughput", "989 TFLOP/s"),
    (2.0, "gpu_hour_price", "$2.00/GPU-hour"), (-5e9, "money", "-$5.00B"),
])
def test_formatting_reads_naturally(value, dim, text):
    assert units.format_quantity(value, dim) == text


FORMATTED = ["money", "power", "energy", "compute", "throughput", "usd_per_w", "amount",
             "energy_price", "gpu_hour_price", "bytes", "bandwidth", "usd_per_year"]


@given(st.sampled_from(FORMATTED), st.floats(min_value=1e-2, max_value=1e29))
def test_format_then_parse_round_trips_within_display_precision(dim, x):
    text = units.format_quantity(x, dim)
    back = units.parse(text, dim)
    assert math.isclose(back, x, rel_tol=6e-3, abs_tol=0.006), (x, text, back)


@given(st.integers(min_value=0, max_value=10**12))
def test_counts_round_trip_exactly(n):
    assert units.parse(units.format_quantity(n, "count"), "count") == n


@given(st.text(max_size=30), st.sampled_from(sorted(units.DIMENSIONS)))
def test_any_text_parses_or_raises_unit_error(text, dim):
    try:
        v = units.parse(text, dim)
    except UnitError:
        return
    assert math.isfinite(v)


def test_ratios_show_as_multiples_and_undefined_ones_as_a_dash():
    from estimator.units import format_quantity, parse
    assert format_quantity(0.5979, "ratio") == "0.60x"
    assert format_quantity(float("inf"), "ratio") == "–"     # sources over no uses
    assert parse("1.5x", "ratio") == 1.5
