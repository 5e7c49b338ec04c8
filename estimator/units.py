"""Quantities: parse what people write (``$40B``, ``1.2 GW``, ``$0.08/kWh``) and format it back.

Every dimension has one base unit, used inside the engine and in JSON output:

=================  ==================  ===========================================
dimension          base unit           examples accepted
=================  ==================  ===========================================
money              USD                 ``$40B``, ``$27k``, ``$1.2T``, ``5e9``
power              W                   ``700 W``, ``1.2 GW``, ``120 kW``
energy             Wh                  ``5 MWh``, ``1.2 TWh``
energy_price       USD/kWh             ``$0.08/kWh``, ``$80/MWh``
duration           hours               ``90 days``, ``4 years``, ``6 months``
compute            FLOP                ``3.8e25 FLOP``, ``3e27``
throughput         FLOP/s              ``989 TFLOP/s``, ``2.5 PFLOP/s``
gpu_hours          GPU-hours           ``30.84M GPU-hours``
gpu_hour_price     USD/GPU-hour        ``$2/GPU-hour``, ``$3.50/GPU-hr``
usd_per_w          USD/W               ``$11.7M/MW``, ``$2,500/kW``
usd_per_w_month    USD/W-month         ``$150/kW-month``
usd_per_year       USD/year            ``$350k/year``
fraction           1                   ``35%``, ``0.35``
count              1 (whole number)    ``400_000``, ``16,384``, ``400k``
amount             1                   ``405B``, ``15.6T tokens``, ``500M users``
bytes              B                   ``80 GB``, ``96 GiB``
bandwidth          B/s                 ``3.35 TB/s``
water_per_energy   L/kWh               ``1.8 L/kWh``, ``0.5 gal/kWh``
water_price        USD/L               ``$0.001/L``, ``$4/kgal``, ``$1.2/m3``
=================  ==================  ===========================================

A bare number is the base unit, unless a field says otherwise (``bare="years"``).
"""
from __future__ import annotations

import math
import re
from typing import Callable, Dict, NamedTuple, Optional

from .errors import UnitError

HOURS_PER_YEAR = 8766.0  # 365.25 days; Epoch AI uses the same (training-cost-trends)
HOURS_PER_MONTH = HOURS_PER_YEAR / 12
GALLON_L = 3.785411784   # US gallon in litres (NIST Handbook 44, exact definition)

_MONEY_MAG = {"k": 1e3, "K": 1e3, "M": 1e6, "B": 1e9, "bn": 1e9, "T": 1e12}
_SI = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def _prefixed(unit: str, prefixes: str = "kMGTPE", base: float = 1.0) -> Dict[str, float]:
    out = {unit: base}
    for p in prefixes:
        out[p + unit] = base * _SI[p]
    return out


def _variants(table: Dict[str, float]) -> Dict[str, float]:
    """Add harmless spelling variants: '$/GPU-hour' also as '$/GPU-hr', '$/gpu-hour', ..."""
    out = dict(table)
    for unit, f in table.items():
        out.setdefault(unit.replace("hour", "hr"), f)
        out.setdefault(unit.replace("-", " "), f)
        out.setdefault(unit.replace("GPU", "gpu"), f)
        out.setdefault(unit.replace("GPU", "gpu").replace("hour", "hr"), f)
        out.setdefault(unit.replace("year", "yr"), f)
        out.setdefault(unit.replace("month", "mo"), f)
    return out


class Dimension(NamedTuple):
    name: str
    base: str
    units: Dict[str, float]
    examples: str
    money: bool = False          # written with a leading '$' and k/M/B/T magnitudes
    magnitudes: bool = False     # bare k/M/B/T magnitudes allowed (counts and amounts)
    integer: bool = False

    def accepted(self) -> str:
        return f"{self.name} such as {self.examples} (a bare number means {self.base})"


def _dims() -> Dict[str, Dimension]:
    d = {}

    def add(*args, **kw):
        dim = Dimension(*args, **kw)
        d[dim.name] = dim

    add("money", "USD", {"$": 1.0, "USD": 1.0, "$ USD": 1.0}, "$40B, $27k, $1.2T", money=True)
    add("power", "W", _prefixed("W"), "700 W, 1.2 GW, 120 kW")
    add("energy", "Wh", _prefixed("Wh"), "5 MWh, 1.2 TWh")
    add("energy_price", "USD/kWh", {"$/kWh": 1.0, "$/MWh": 1e-3, "$/Wh": 1e3, "$/GWh": 1e-6},
        "$0.08/kWh, $80/MWh", money=True)
    add("duration", "hours", _variants({
        "hours": 1.0, "hour": 1.0, "h": 1.0, "days": 24.0, "day": 24.0, "d": 24.0,
        "weeks": 168.0, "week": 168.0, "months": HOURS_PER_MONTH, "month": HOURS_PER_MONTH,
        "years": HOURS_PER_YEAR, "year": HOURS_PER_YEAR, "y": HOURS_PER_YEAR}),
        "90 days, 4 years, 6 months")
    flop = {}
    for u in ("FLOP", "FLOPs", "flop"):
        flop.update(_prefixed(u, "kMGTPEZY".replace("Z", "").replace("Y", "")))
    add("compute", "FLOP", flop, "3.8e25 FLOP, 3e27")
    tput = {}
    for u in ("FLOP/s", "FLOPS", "flop/s"):
        tput.update(_prefixed(u))
    add("throughput", "FLOP/s", tput, "989 TFLOP/s, 2.5 PFLOP/s")
    add("gpu_hours", "accelerator-hours", _variants({
        "GPU-hours": 1.0, "GPU-hour": 1.0, "hours": 1.0, "accelerator-hours": 1.0,
        "chip-hours": 1.0}), "30.84M GPU-hours", magnitudes=True)
    add("gpu_hour_price", "USD/GPU-hour", _variants({
        "$/GPU-hour": 1.0, "$/accelerator-hour": 1.0, "$/chip-hour": 1.0, "$/hour": 1.0}),
        "$2/GPU-hour, $3.50/GPU-hr", money=True)
    add("usd_per_w", "USD/W", {"$/W": 1.0, "$/kW": 1e-3, "$/MW": 1e-6, "$/GW": 1e-9},
        "$11.7M/MW, $2,500/kW", money=True)
    add("usd_per_w_month", "USD/W-month", _variants({
        "$/W-month": 1.0, "$/kW-month": 1e-3, "$/MW-month": 1e-6, "$/kW/month": 1e-3,
        "$/MW/month": 1e-6}), "$150/kW-month", money=True)
    add("usd_per_year", "USD/year", _variants({"$/year": 1.0, "$/month": 12.0}),
        "$350k/year, $30k/month", money=True)
    add("fraction", "a fraction (0.35 = 35%)", {"%": 0.01, "": 1.0}, "35%, 0.35")
    add("count", "a whole number", {"": 1.0}, "400_000, 16,384, 400k", magnitudes=True, integer=True)
    amt = {"": 1.0}
    for w in ("tokens", "params", "parameters", "users", "people", "FLOP/token"):
        amt[w] = 1.0
    add("amount", "a plain number", amt, "405B, 15.6T tokens, 500M users", magnitudes=True)
    add("ratio", "a ratio (1.5x = one and a half times)", {"x": 1.0, "": 1.0}, "0.6x, 1.5")
    byt = _prefixed("B")
    byt.update({"KiB": 2.0**10, "MiB": 2.0**20, "GiB": 2.0**30, "TiB": 2.0**40})
    add("bytes", "bytes", byt, "80 GB, 96 GiB")
    add("bandwidth", "B/s", _prefixed("B/s"), "3.35 TB/s")
    add("water_per_energy", "L/kWh", {"L/kWh": 1.0, "l/kWh": 1.0, "L/MWh": 1e-3,
                                      "gal/kWh": GALLON_L}, "1.8 L/kWh, 0.5 gal/kWh")
    add("water_price", "USD/L", {"$/L": 1.0, "$/l": 1.0, "$/m3": 1e-3, "$/gal": 1 / GALLON_L,
                                 "$/kgal": 1e-3 / GALLON_L}, "$0.001/L, $4/kgal, $1.2/m3",
        money=True)
    return d


DIMENSIONS: Dict[str, Dimension] = _dims()

#: numbers are written with the digits 0-9 and the signs + and - (ASCII: ``\\d`` would also
#: read full-width and other scripts' digits, and ``1٥0`` as 150)
_NUMBER = re.compile(
    r"^(?P<sign>[-+])?\s*(?P<dollar>\$)?\s*(?P<sign2>[-+])?"
    r"(?P<num>(?:\d{1,3}(?:,\d{3})+|\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?(?:[eE][-+]?\d+)?"
    r"|\.\d+(?:[eE][-+]?\d+)?)"
    r"\s*(?P<rest>.*)$", re.ASCII
)
#: characters that look like a digit, a sign or a unit character and are not: refused with
#: what to write instead, never read as what they resemble
_LOOKALIKES = {"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
               "\u2014": "-", "\ufe63": "-", "\uff0d": "-", "\uff0b": "+", "\uff04": "$",
               "\uff05": "%", "\ufe69": "$", "\uff0e": ".", "\uff0c": ","}


def _plain_text(text: str) -> str:
    """``text`` with Unicode spaces (no-break, thin) as plain spaces; UnitError naming any
    digit that is not 0-9 or any look-alike of a sign, '$', '%', '.' or ','."""
    import unicodedata
    out = []
    for c in text:
        if c.isascii():
            out.append(c)
        elif unicodedata.category(c) == "Zs":
            out.append(" ")
        elif c in _LOOKALIKES or unicodedata.category(c) == "Nd" or c.isdigit():
            name = unicodedata.name(c, "a character")
            instead = _LOOKALIKES.get(c) or (str(unicodedata.digit(c, "")) or "0-9")
            raise UnitError(f"'{c}' (U+{ord(c):04X} {name}) is not read as a number; write "
                            f"'{instead}'", found=_show(text))
        else:
            out.append(c)
    return "".join(out)


def _unit_key(rest: str) -> str:
    rest = rest.strip()
    rest = re.sub(r"\s*/\s*", "/", rest)
    return re.sub(r"\s+", " ", rest)


def parse(value, dim: str, *, bare: Optional[str] = None) -> float:
    """Parse ``value`` (a number or a string with a unit) into the base unit of ``dim``.

    Parameters
    ----------
    value : str, int or float
        What the user wrote.
    dim : str
        A key of :data:`DIMENSIONS`.
    bare : str, optional
        The unit a bare number is in, when not the base unit (for example ``"years"``).

    Raises
    ------
    UnitError
        Unknown unit, wrong dimension, not a number, or not finite.
    """
    d = DIMENSIONS[dim]
    if isinstance(value, bool) or value is None or not isinstance(value, (int, float, str)):
        raise UnitError("not a quantity", expected=d.accepted(), found=_show(value))
    if isinstance(value, (int, float)):
        x = float(value) if not isinstance(value, int) or abs(value) < 2**1023 else math.inf
        factor = d.units[bare] if bare else 1.0
        return _finish(x * factor, d, value)
    try:
        text = _plain_text(value).strip()
    except UnitError as e:
        raise UnitError(e.message, expected=d.accepted(), found=e.found) from None
    m = _NUMBER.match(text)
    if not m:
        raise UnitError("not a number with a unit", expected=d.accepted(), found=_show(value))
    if m.group("sign") and m.group("sign2"):
        raise UnitError("two signs: write one, before the number", expected=d.accepted(),
                        found=_show(value))
    digits = m.group("num").replace("_", "").replace(",", "")
    num = float(digits)
    if num == 0 and re.search("[1-9]", digits.split("e")[0].split("E")[0]):
        raise UnitError(f"too small: the smallest magnitude other than 0 is {MIN_MAGNITUDE:g}",
                        expected=d.accepted(), found=_show(value))
    if (m.group("sign") or m.group("sign2") or "") == "-":
        num = -num
    rest = m.group("rest")
    dollar = bool(m.group("dollar"))
    mag = 1.0
    if dollar or d.magnitudes:
        mm = re.match(r"^(bn|[kKMBT])(?=$|[\s/])", rest)
        if mm:
            mag = _MONEY_MAG[mm.group(1)]
            rest = rest[mm.end():]
    key = ("$" if dollar else "") + _unit_key(rest)
    if key == "":  # a number written as a string ("3e27", "400_000"): the bare unit
        return _finish(num * mag * (d.units[bare] if bare else 1.0), d, value)
    if key not in d.units:
        other = _which_dimension(key)
        why = f"'{key}' is a unit of {other}, not {d.name}" if other else f"unknown unit '{key}'"
        if key == "$" and not d.money:
            why = f"money where {d.name} belongs"
        raise UnitError(why, expected=d.accepted(), found=_show(value))
    return _finish(num * mag * d.units[key], d, value)


def _which_dimension(key: str) -> Optional[str]:
    for name, d in DIMENSIONS.items():
        if key and key in d.units:
            return name
    return None


#: the largest magnitude an input or a figure may have: products of two stay finite
MAX_MAGNITUDE = 1e200
#: the smallest magnitude other than 0 an input may have: products of two stay above 0
MIN_MAGNITUDE = 1e-100
#: the largest count that a float holds exactly (2**53)
MAX_COUNT = 2 ** 53


def _finish(x: float, d: Dimension, original) -> float:
    if not math.isfinite(x):
        raise UnitError("not a finite number", expected=d.accepted(), found=_show(original))
    if abs(x) > MAX_MAGNITUDE:
        raise UnitError(f"too large: the largest magnitude is {MAX_MAGNITUDE:g}",
                        expected=d.accepted(), found=_show(original))
    if x and abs(x) < MIN_MAGNITUDE:
        raise UnitError(f"too small: the smallest magnitude other than 0 is {MIN_MAGNITUDE:g}",
                        expected=d.accepted(), found=_show(original))
    if d.integer:
        if abs(x) > MAX_COUNT:
            raise UnitError(f"too large to count exactly: the largest count is {MAX_COUNT:,}",
                            expected=d.accepted(), found=_show(original))
        if x != int(x):
            raise UnitError("not a whole number", expected=d.accepted(), found=_show(original))
        return int(x)
    return x


def _show(value) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return repr(value)


# --------------------------------------------------------------------------- formatting

def _fixed3(v: float) -> str:
    """Three significant figures, keeping trailing zeros: 40.0, 1.20, 270."""
    a = abs(v)
    if a >= 100 or a == 0:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def _trim3(v: float) -> str:
    return f"{v:.3g}"


def _scaled(v: float, steps, fmt=_fixed3) -> str:
    a = abs(v)
    for factor, suffix in steps:
        if a >= factor * 0.9995:
            return fmt(v / factor) + suffix
    factor, suffix = steps[-1]
    return fmt(v / factor) + suffix


_MONEY_STEPS = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"), (1.0, "")]


def format_money(v: float) -> str:
    if abs(v) < 1:
        return ("-" if v < 0 else "") + f"${abs(v):.3g}"
    s = _scaled(abs(v), _MONEY_STEPS)
    return ("-" if v < 0 else "") + "$" + s


def _si(v: float, unit: str, prefixes="kMGTPE") -> str:
    steps = [(_SI[p], f" {p}{unit}") for p in reversed(prefixes)] + [(1.0, f" {unit}")]
    return _scaled(v, steps)


def format_compute(v: float) -> str:
    if v == 0:
        return "0 FLOP"
    mant, exp = f"{v:.2e}".split("e")     # three significant figures; subnormals too
    m = mant.rstrip("0").rstrip(".")
    return f"{m}e{int(exp)} FLOP"


def format_ratio(v) -> str:
    """A ratio such as a coverage: ``7.41x``; with nothing to divide by (None, inf), a dash."""
    if v is None or not math.isfinite(v):
        return "–"
    return f"{v:.2f}x"


def format_fraction(v: float) -> str:
    return f"{v * 100:.3g}%"


def format_count(v: float) -> str:
    return f"{int(round(v)):,}"


def format_amount(v: float) -> str:
    a = abs(v)
    if a < 1000:
        return _trim3(v)
    return _scaled(v, [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")], _trim3)


def format_duration(hours: float) -> str:
    a = abs(hours)
    if a >= HOURS_PER_YEAR:
        return f"{_trim3(hours / HOURS_PER_YEAR)} years"
    if a >= 48:
        return f"{_trim3(hours / 24)} days"
    return f"{_trim3(hours)} hours"


_FORMATTERS: Dict[str, Callable[[float], str]] = {
    "money": format_money,
    "power": lambda v: _si(v, "W"),
    "energy": lambda v: _si(v, "Wh"),
    "energy_price": lambda v: f"${v:.3g}/kWh",
    "duration": format_duration,
    "compute": format_compute,
    "throughput": lambda v: _si(v, "FLOP/s"),
    "gpu_hour_price": lambda v: f"${v:.2f}/GPU-hour",
    "gpu_hours": lambda v: format_amount(v) + " GPU-hours",
    "usd_per_w": lambda v: format_money(v * 1e6) + "/MW",
    "usd_per_w_month": lambda v: format_money(v * 1e3) + "/kW-month",
    "usd_per_year": lambda v: format_money(v) + "/year",
    "fraction": format_fraction,
    "count": format_count,
    "amount": format_amount,
    "ratio": format_ratio,
    "bytes": lambda v: _si(v, "B"),
    "bandwidth": lambda v: _si(v, "B/s"),
    "water_per_energy": lambda v: f"{v:.3g} L/kWh",
    "water_price": lambda v: f"${v * 1e3:.3g}/m3",
}


def show_value(value, unit: str, none: str = "–") -> str:
    """Any figure value for people: booleans, text and months as they are, quantities formatted."""
    if value is None:
        return none
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value
    try:
        return format_quantity(value, unit)
    except (KeyError, TypeError, ValueError):
        return repr(value)


def format_quantity(value: float, dim: str) -> str:
    """Format a base-unit value for a report: ``$40.0B``, ``1.20 GW``, ``3.8e25 FLOP``."""
    if value is None:
        return "–"
    if isinstance(value, float) and not math.isfinite(value) and dim != "ratio":
        return str(value)
    return _FORMATTERS[dim](value)
