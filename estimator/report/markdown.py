"""Markdown report, for pull-request comments and docs. Formatting only."""
from __future__ import annotations

from typing import List

from .. import text as safe
from ..result import Result, to_plain
from . import money
from .terminal import CAPEX_LINES, OPEX_LINES, SOURCE_LINES, USE_LINES, fmt


def _table(header: List[str], rows: List[List[str]], right=()) -> List[str]:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out + [""]


def verdict(result: Result) -> List[str]:
    if "funding.covered" not in result:
        return []
    end = result.value("funding.window_end")
    covered, words, sentences = money.headline(result)
    head = (f"**✅ Covered** {words}" if covered else f"**❌ Not covered**: {words}")
    lines = [head, ""] + [safe.markdown(" ".join(sentences + [money.money_in(result) or ""])
                                        .strip()), "",
                          f"The money raised ({fmt(result, 'funding.money_raised_usd')}) could "
                          f"instead buy {fmt(result, 'funding.could_buy.accelerators')} "
                          f"accelerators ({fmt(result, 'funding.could_buy.facility_w')}).", ""]
    rows = [["Cash at the start", fmt(result, "inputs.funding.cash_usd")]]
    rows += [[label, fmt(result, f"funding.sources.{k}_usd")] for k, label in SOURCE_LINES
             if f"funding.sources.{k}_usd" in result and to_plain(result.value(f"funding.sources.{k}_usd"))]
    rows.append(["**Sources**", f"**{fmt(result, 'funding.sources_usd')}**"])
    rows += [[label, fmt(result, f"funding.uses.{k}_usd")] for k, label in USE_LINES
             if f"funding.uses.{k}_usd" in result and to_plain(result.value(f"funding.uses.{k}_usd"))]
    rows.append(["**Uses**", f"**{fmt(result, 'funding.uses_usd')}**"])
    lines += _table(["through " + str(end), "USD"], rows, right=(1,))
    branches = result.tables.get("branches", [])
    if branches:
        brow = []
        for b in branches:
            for val in (True, False):
                p = f"funding.branches.{b['flag']}.{str(val).lower()}"
                brow.append([f"{safe.code(b['flag'])} = {str(val).lower()}" + (" (as set)" if val == b["value"] else ""),
                             "covered" if result.value(f"{p}.covered") else "not covered",
                             fmt(result, f"{p}.shortfall_usd"), result.value(f"{p}.gap_month") or "–"])
        lines += _table(["condition", "verdict", "shortfall", "cash runs out"], brow, right=(2,))
    yearly = money.yearly_rows(result)
    if yearly:
        lines += _table(money.YEARLY_HEADER, yearly, right=(1, 2, 3, 4, 5))
    entities = money.entity_rows(result)
    if entities:
        lines += _table(money.ENTITY_HEADER, [[safe.markdown(c) for c in r] for r in entities],
                        right=(2, 3, 4, 5))
        lines += _table(money.FLOW_HEADER, [[safe.markdown(c) for c in r]
                                            for r in money.flow_rows(result)], right=(3,))
    return lines


def training(result: Result) -> List[str]:
    rows = result.tables.get("training")
    if not rows:
        return []

    def get(name):
        return fmt(result, name) if name in result else "–"

    body = []
    for row in rows:
        p = f"training.{row['key']}"
        body.append([safe.markdown(row["run"]), row["start"], get(f"{p}.total_compute_flop"), get(f"{p}.accelerators"),
                     get(f"{p}.facility_power_w"), f"{to_plain(result.value(f'{p}.days')):.0f}",
                     get(f"{p}.cost.amortized_usd"), get(f"{p}.cost.rental_usd"),
                     get(f"{p}.cost.build_usd")])
    body.append(["**Total**", "", get("training.total_compute_flop"), "", get("training.peak_facility_w")
                 + " peak", "", get("training.cost.amortized_usd"), get("training.cost.rental_usd"),
                 get("training.cost.build_usd")])
    return ["### Training runs", ""] + _table(
        ["run", "start", "FLOP", "accelerators", "power", "days", "amortized", "rental", "build"],
        body, right=(2, 3, 4, 5, 6, 7, 8))


def costing(result: Result) -> List[str]:
    if not (to_plain(result.value("capex.total_usd")) or to_plain(result.value("opex.total_usd"))):
        return []
    lines = ["### Capex and opex", ""]
    rows = [[label, fmt(result, f"capex.{k}_usd")] for k, label in CAPEX_LINES
            if to_plain(result.value(f"capex.{k}_usd"))]
    rows.append(["**Capex**", f"**{fmt(result, 'capex.total_usd')}**"])
    rows += [[label, fmt(result, f"opex.{k}_usd")] for k, label in OPEX_LINES
             if to_plain(result.value(f"opex.{k}_usd"))]
    rows.append(["**Opex over the horizon**", f"**{fmt(result, 'opex.total_usd')}**"])
    lines += _table(["line", "USD"], rows, right=(1,))
    lines += _table(["power and energy", ""], [
        ["IT power (peak)", fmt(result, "power.it_w")],
        ["Facility power", fmt(result, "power.facility_w")],
        ["Energy over the horizon", fmt(result, "energy.total_wh")],
        ["Opex run rate at the end", fmt(result, "opex.annual_run_rate_usd") + "/year"]], right=(1,))
    return lines


def render(result: Result) -> str:
    lines = [f"## {safe.markdown(result.title)}", "",
             f"{result.months[0]} to {result.months[-1]} ({len(result.months)} months) · "
             + ", ".join(safe.code(f) for f in result.files), ""]
    lines += verdict(result) + training(result) + costing(result)
    if result.warnings:
        lines += ["> **Warnings**", ">"] + [f"> - {safe.markdown(w)}" for w in result.warnings] + [""]
    lines.append("Generated by `estimator report --format markdown`; `estimator explain` shows how "
                 "any figure is computed.")
    return "\n".join(lines) + "\n"
