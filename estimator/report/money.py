"""The words and rows of a funding verdict, shared by the terminal and markdown reports.

Formatting only: every number is a figure the engine recorded.
"""
from __future__ import annotations

from typing import List, Optional, Tuple

from .. import text as safe
from ..result import Result, to_plain
from ..units import format_quantity

COVERAGE_CAPTION = ("sources / uses through the window; it can exceed 1 while not covered, "
                    "when money arrives after it is spent")


def fmt(result: Result, name: str) -> str:
    fig = result[name]
    return format_quantity(to_plain(fig.value), fig.unit)


def _value(result: Result, name: str):
    return to_plain(result.value(name)) if name in result else None


def headline(result: Result, prefix: str = "funding") -> Tuple[bool, str, List[str]]:
    """(covered, the verdict in a few words, the sentences that follow it)."""
    covered = bool(result.value(f"{prefix}.covered"))
    end = result.value(f"{prefix}.window_end")
    why = _value(result, f"{prefix}.window_reason")
    through = f"through {end}" + (f" ({why})" if why else "")
    lines = []
    if covered:
        words = f"{through}: the cash never drops below what must be kept."
        lines.append(f"Lowest balance {fmt(result, f'{prefix}.min_balance_usd')} in "
                     f"{result.value(f'{prefix}.min_balance_month')}.")
    else:
        words = f"short by {fmt(result, f'{prefix}.shortfall_usd')} {through}."
        lines.append(f"Deepest shortfall {fmt(result, f'{prefix}.shortfall_usd')} in "
                     f"{result.value(f'{prefix}.min_balance_month')}; the cash first runs short "
                     f"in {result.value(f'{prefix}.gap_month')}, so an extra raise must arrive "
                     f"by then.")
    if f"{prefix}.peak_need_usd" in result:
        month = result.value(f"{prefix}.peak_need_month")
        lines.append(f"Peak funding need {fmt(result, f'{prefix}.peak_need_usd')}"
                     + (f" in {month}" if month else "") + "; " + _runway(result, prefix)
                     + f"; NPV {fmt(result, f'{prefix}.npv_usd')}.")
    drivers = _largest_uses(result, prefix)
    if drivers:
        lines.append("What drives it, the largest uses through the window: " + drivers + ".")
    if prefix == "funding" and "uncertainty.p_covered" in result:
        lines.append(f"Under the scenario's own distributions: P(covered) "
                     f"{_value(result, 'uncertainty.p_covered'):.1%}; shortfall P50 "
                     f"{fmt(result, 'uncertainty.shortfall_p50_usd')} (P10 "
                     f"{fmt(result, 'uncertainty.shortfall_p10_usd')}, P90 "
                     f"{fmt(result, 'uncertainty.shortfall_p90_usd')}).")
    if f"{prefix}.coverage_ratio" in result:
        lines.append(f"Sources {fmt(result, f'{prefix}.sources_usd')} vs uses "
                     f"{fmt(result, f'{prefix}.uses_usd')}: coverage "
                     f"{fmt(result, f'{prefix}.coverage_ratio')} "
                     f"({COVERAGE_CAPTION}).")
    return covered, words, lines


def _largest_uses(result: Result, prefix: str, most: int = 3) -> str:
    from .terminal import USE_LINES
    found = []
    for key, label in USE_LINES:
        value = _value(result, f"{prefix}.uses.{key}_usd")
        if isinstance(value, (int, float)) and value > 0:
            found.append((value, label.lower(), f"{prefix}.uses.{key}_usd"))
    found.sort(key=lambda x: -x[0])
    return ", ".join(f"{label} {fmt(result, name)}" for _, label, name in found[:most])


def _runway(result: Result, prefix: str) -> str:
    runway = _value(result, f"{prefix}.runway_months")
    if runway is None:
        return "no burn at the window's end (runway unlimited)"
    return f"runway {runway:.0f} months at the trailing burn"


def money_in(result: Result) -> Optional[str]:
    """Cash on hand apart from money raised, with the raises as their tranches."""
    if "inputs.funding.cash_usd" not in result:
        return None
    parts = []
    for row in sorted(result.tables.get("raises", []), key=lambda r: r["date"]):
        amount = (format_quantity(row["amount_usd"], "money") if row["amount_usd"] is not None
                  else "sampled")
        cond = f", if {safe.clean(row['condition'])}" if row["condition"] else ""
        note = "" if row["counted"] else ", outside the horizon: not counted"
        parts.append(f"{safe.clean(row['name'])} {amount} in {row['date']}{cond}{note}")
    text = f"Cash on hand {fmt(result, 'inputs.funding.cash_usd')}"
    if parts:
        text += "; raised in the horizon: " + "; ".join(parts)
    return text + "."


def yearly_rows(result: Result, prefix: str = "funding") -> List[List[str]]:
    """Year, sources, uses, net burn, cumulative burn, balance: one row per calendar year."""
    years = sorted({f.name.split(".")[len(prefix.split(".")) + 1]
                    for f in result.under(f"{prefix}.by_year.")})
    rows = []
    for y in years:
        p = f"{prefix}.by_year.{y}"
        rows.append([y] + [fmt(result, f"{p}.{k}_usd") for k in
                           ("sources", "uses", "burn", "cumulative_burn", "balance")])
    return rows


YEARLY_HEADER = ["year", "sources", "uses", "net burn", "cum. burn", "balance"]


def entity_rows(result: Result) -> List[List[str]]:
    """Each entity's verdict side by side (the scenario's own first)."""
    rows = []
    for e in result.tables.get("entities", []):
        p = "funding" if e["main"] else f"entities.{e['name']}.funding"
        ok = bool(result.value(f"{p}.covered"))
        rows.append([safe.clean(e["name"]), "covered" if ok else "not covered",
                     fmt(result, f"{p}.shortfall_usd"), fmt(result, f"{p}.peak_need_usd"),
                     fmt(result, f"{p}.sources_usd"), fmt(result, f"{p}.uses_usd")])
    return rows


ENTITY_HEADER = ["entity", "verdict", "shortfall", "peak need", "sources", "uses"]


def flow_rows(result: Result) -> List[List[str]]:
    """Money between the entities over the horizon."""
    kinds = {"contract_revenue": "contracts", "equity": "equity", "debt": "loans",
             "loan_repayments": "loan repayments"}
    return [[safe.clean(f["payer"]), safe.clean(f["payee"]), kinds.get(f["kind"], f["kind"]),
             format_quantity(f["total_usd"], "money") if f["total_usd"] is not None else "–"]
            for f in result.tables.get("flows", [])]


FLOW_HEADER = ["from", "to", "as", "over the horizon"]
