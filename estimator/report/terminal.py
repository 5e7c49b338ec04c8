"""Terminal report with rich: panels and tables built from a Result. Formatting only."""
from __future__ import annotations

from typing import List, Optional

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from .. import text as safe
from ..engine.funding import COULD_BUY_RUN_DAYS
from ..engine.lines import CAPEX, OPEX
from ..result import Result, to_plain
from . import money
from .money import fmt
from ..units import format_quantity

# labels of the cost lines, from the engine's registry of lines
CAPEX_LINES = [(line.key, line.label) for line in CAPEX]
OPEX_LINES = [(line.key, line.label) for line in OPEX]


#: rows of one kind (runs, fleets, sites) the terminal shows; JSON and CSV hold them all
MAX_ROWS = 40


def _more(items: list) -> Optional[str]:
    """The line that stands for rows past MAX_ROWS, or None."""
    extra = len(items) - MAX_ROWS
    return f"... and {extra:,} more (every one in --format json or csv)" if extra > 0 else None


def bar(share: float, width: int = 12) -> Text:
    share = min(max(share, 0.0), 1.0)
    full = int(round(share * width))
    return Text("█" * full + "·" * (width - full), style="cyan")


def _money_table(result: Result, title: str, lines, prefix: str, total_name: str,
                 note: Optional[str] = None) -> Table:
    t = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
              caption=note, caption_justify="left")
    t.add_column("line")
    t.add_column("USD", justify="right")
    t.add_column("share", justify="right")
    t.add_column("", no_wrap=True)
    tot = to_plain(result.value(total_name)) or 0.0
    for key, label in lines:
        name = f"{prefix}.{key}_usd"
        if name not in result:
            continue
        v = to_plain(result.value(name))
        if not v:
            continue
        share = v / tot if tot else 0.0
        t.add_row(label, fmt(result, name), f"{share:.0%}", bar(share))
    t.add_row(Text("Total", style="bold"), Text(fmt(result, total_name), style="bold"), "", "")
    return t


def header(result: Result) -> Panel:
    body = Text()
    body.append(safe.clean(result.title), style="bold")
    body.append(f"\n{result.months[0]} to {result.months[-1]} ({len(result.months)} months)")
    if result.files:
        body.append("\nfrom " + ", ".join(safe.clean(f) for f in result.files), style="dim")
    return Panel(body, box=box.ROUNDED, expand=True)


def fleets_table(result: Result) -> Optional[Table]:
    names = sorted({f.name.split(".")[1] for f in result.under("fleets.")
                    if f.name.count(".") == 2})
    if not names:
        return None
    t = Table(title="Fleets", box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    for col, just in (("fleet", "left"), ("accelerators", "right"), ("servers", "right"),
                      ("IT power", "right"), ("per accel.", "right"), ("capex", "right")):
        t.add_column(col, justify=just)
    for n in names[:MAX_ROWS]:
        def get(name):
            return fmt(result, name) if name in result else "rented"
        t.add_row(safe.markup(n), get(f"fleets.{n}.accelerators"), get(f"fleets.{n}.servers"),
                  get(f"power.fleets.{n}.it_w"), get(f"power.fleets.{n}.per_accelerator_w"),
                  get(f"capex.fleets.{n}.total_usd"))
    if _more(names):
        t.add_row(_more(names), style="dim")
    return t


def pairs_table(title: str) -> Table:
    """A two-column table of labels and values, without a header."""
    t = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", title_style="bold",
              show_header=False)
    t.add_column("")
    t.add_column("", justify="right")
    return t


def power_table(result: Result) -> Table:
    t = pairs_table("Power and energy")
    for name, label in (("power.it_w", "IT power (peak)"),
                        ("power.facility_w", "Facility power (IT x PUE)"),
                        ("power.site_capacity_w", "Datacenter IT capacity"),
                        ("energy.total_wh", "Energy over the horizon")):
        if name in result:
            t.add_row(label, fmt(result, name))
    return t


def depreciation_table(result: Result) -> Table:
    t = pairs_table("Depreciation over the horizon")
    for key, label in (("accelerators", "Accelerators and servers"), ("network", "Network and storage"),
                       ("buildings", "Buildings"), ("power_plant", "Power plant")):
        t.add_row(label, fmt(result, f"depreciation.{key}_usd"))
    t.add_row(Text("Total", style="bold"), Text(fmt(result, "depreciation.total_usd"), style="bold"))
    t.add_row("Book value at the end", fmt(result, "book_value.end_usd"))
    return t


def training_table(result: Result) -> Optional[Table]:
    rows = result.tables.get("training")
    if not rows:
        return None
    t = Table(title="Training runs: cost three ways", box=box.SIMPLE_HEAD, title_justify="left",
              title_style="bold", pad_edge=False, collapse_padding=True, caption="FLOP include experiments; power is facility power "
              "(IT x PUE)", caption_justify="left")
    t.add_column("run", overflow="ellipsis", no_wrap=True, min_width=8)
    for col in ("FLOP", "accel.", "power", "days", "amortized", "rental", "build"):
        t.add_column(col, justify="right", no_wrap=True)

    def get(name):
        return fmt(result, name) if name in result else "–"

    for row in rows[:MAX_ROWS]:
        p = f"training.{row['key']}"
        days = result.value(f"{p}.days")
        t.add_row(safe.markup(row["run"]), get(f"{p}.total_compute_flop").replace(" FLOP", ""),
                  get(f"{p}.accelerators"), get(f"{p}.facility_power_w"),
                  f"{to_plain(days):.0f}",
                  get(f"{p}.cost.amortized_usd"), get(f"{p}.cost.rental_usd"),
                  get(f"{p}.cost.build_usd"))
    if _more(rows):
        t.add_row(Text(_more(rows), style="dim", overflow="fold"))
    t.add_row(Text("Total", style="bold"), get("training.total_compute_flop").replace(" FLOP", ""),
              "", "", "", get("training.cost.amortized_usd"), get("training.cost.rental_usd"),
              get("training.cost.build_usd"), style="bold")
    return t


def plan_table(result: Result) -> Optional[Table]:
    if "training.peak_facility_w" not in result:
        return None
    t = pairs_table("Plan totals")
    t.add_row("Peak facility power of any run", fmt(result, "training.peak_facility_w"))
    t.add_row("Energy of all runs", fmt(result, "training.energy_wh"))
    t.add_row("Accelerator-hours", fmt(result, "training.gpu_hours"))
    if "training.capex_usd" in result:
        t.add_row("Capex of planned capacity", fmt(result, "training.capex_usd"))
        for fig in result.under("training.capex."):
            year = fig.name.split(".")[2].replace("_usd", "")
            t.add_row(f"  paid in {year}", fmt(result, fig.name))
    return t


USE_LINES = [("infrastructure", "Fleets and datacenters (capex + opex)"),
             ("training_capex", "Planned training capacity (capex)"),
             ("training_energy", "Training energy"),
             ("training_operations", "Operating planned capacity"),
             ("training_rental", "Rented training runs"),
             ("payroll", "Payroll"), ("inference", "Serving users"), ("other", "Other costs"),
             ("contracts", "Compute contracts"),
             ("contracts_to_entities", "Contracts with linked entities"),
             ("debt_service", "Debt service"),
             ("equity_out", "Equity paid into linked entities"),
             ("loans_out", "Loans to linked entities")]
SOURCE_LINES = [("raises", "Raises"), ("equity", "Equity"), ("debt", "Debt"),
                ("revenue", "Revenue"), ("lease_income", "Lease income"),
                ("contract_revenue", "Contracts paid by linked entities"),
                ("loans_from_entities", "Loans from linked entities"),
                ("loan_repayments", "Loan repayments from linked entities")]


def verdict_panel(result: Result) -> Optional[Panel]:
    if "funding.covered" not in result:
        return None
    covered, words, lines = money.headline(result)
    body = Text()
    body.append("COVERED" if covered else "NOT COVERED", style="bold green" if covered
                else "bold red")
    body.append(f"  {words}")
    for line in lines + [money.money_in(result) or ""]:
        if line:
            body.append("\n" + line)
    if "funding.cash_positive_year" in result:
        year = result.value("funding.cash_positive_year")
        body.append("\nCash-flow positive from: " + (year or "no year in the horizon") + ".")
    body.append(f"\nThe money raised ({fmt(result, 'funding.money_raised_usd')}) could instead buy "
                f"{fmt(result, 'funding.could_buy.accelerators')} accelerators "
                f"({fmt(result, 'funding.could_buy.facility_w')}), enough for a "
                f"{fmt(result, 'funding.could_buy.compute_flop')} run in {COULD_BUY_RUN_DAYS} days.")
    return Panel(body, title="Funding verdict", title_align="left", box=box.HEAVY,
                 border_style="green" if covered else "red")


def _plain_table(title: str, header, rows, right_from: int = 1) -> Table:
    t = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    for i, col in enumerate(header):
        t.add_column(col, justify="right" if i >= right_from else "left")
    for row in rows:                    # cells may hold names: shown, never read as markup
        t.add_row(*(safe.markup(c) for c in row))
    return t


def yearly_table(result: Result) -> Optional[Table]:
    rows = money.yearly_rows(result)
    if not rows:
        return None
    return _plain_table("Year by year (burn = uses - revenue and lease income, before equity "
                        "and debt)", money.YEARLY_HEADER, rows)


def entities_tables(result: Result) -> List[Table]:
    rows = money.entity_rows(result)
    if not rows:
        return []
    out = [_plain_table("Each entity's verdict", money.ENTITY_HEADER, rows, right_from=2)]
    flows = money.flow_rows(result)
    if flows:
        out.append(_plain_table("Money between the entities", money.FLOW_HEADER, flows,
                                right_from=3))
    return out


def branches_table(result: Result) -> Optional[Table]:
    rows = result.tables.get("branches")
    if not rows:
        return None
    t = Table(title="Conditions: both branches", box=box.SIMPLE_HEAD, title_justify="left",
              title_style="bold")
    for col in ("flag", "branch", "verdict", "shortfall", "cash runs out"):
        t.add_column(col, justify="right" if col == "shortfall" else "left")
    for row in rows:
        for branch in (True, False):
            p = f"funding.branches.{row['flag']}.{str(branch).lower()}"
            ok = bool(result.value(f"{p}.covered"))
            label = str(branch).lower() + (" (as set)" if branch == row["value"] else "")
            t.add_row(safe.markup(row["flag"]), label, Text("covered" if ok else "not covered",
                                               style="green" if ok else "red"),
                      fmt(result, f"{p}.shortfall_usd"), result.value(f"{p}.gap_month") or "–")
    return t


def money_flow_table(result: Result) -> Optional[Table]:
    if "funding.covered" not in result:
        return None
    t = Table(title=f"Sources and uses through {result.value('funding.window_end')}",
              box=box.SIMPLE_HEAD, title_justify="left", title_style="bold")
    t.add_column("")
    t.add_column("USD", justify="right")
    t.add_row(Text("Sources", style="bold"), Text(fmt(result, "funding.sources_usd"), style="bold"))
    t.add_row("  Cash at the start", fmt(result, "inputs.funding.cash_usd"))
    for key, label in SOURCE_LINES:
        name = f"funding.sources.{key}_usd"
        if name in result and to_plain(result.value(name)):
            t.add_row(f"  {label}", fmt(result, name))
    t.add_row(Text("Uses", style="bold"), Text(fmt(result, "funding.uses_usd"), style="bold"))
    for key, label in USE_LINES:
        name = f"funding.uses.{key}_usd"
        if name in result and to_plain(result.value(name)):
            t.add_row(f"  {label}", fmt(result, name))
    return t


CHART_ROWS = 8


def balance_chart(result: Result, width: int = 60) -> Optional[Panel]:
    """The monthly cash balance (or cumulative spending) as a block chart, zero marked."""
    if "monthly.funding.balance_usd" in result:
        name, title = "monthly.funding.balance_usd", "Cash balance, month by month"
    elif "monthly.cash_out_usd" in result and to_plain(result.value("capex.total_usd")):
        name, title = "monthly.cash_out_usd", "Spending, month by month"
    else:
        return None
    values = [float(v) for v in to_plain(result.value(name))]
    months = result.months
    if not values:
        return None
    cols = min(width, len(values))
    # one column per month, or the month at the end of each column's span
    picks = [min(len(values) - 1, round((i + 1) * len(values) / cols) - 1) for i in range(cols)]
    series = [values[i] for i in picks]
    lo, hi = min(min(series), 0.0), max(max(series), 0.0)
    span = (hi - lo) or 1.0
    rows = CHART_ROWS
    zero_row = int(round((0.0 - lo) / span * rows))
    lines = []
    for r in range(rows, -1, -1):
        line = Text()
        for v in series:
            h = (v - lo) / span * rows
            if r == zero_row:
                ch, style = ("━", "dim") if not (zero_row < h or (v < 0 and h <= r)) else ("█", None)
                if v < 0 and h <= r:
                    ch, style = "█", "red"
                elif v >= 0 and h > r:
                    ch, style = "█", "green" if name.endswith("balance_usd") else "cyan"
            elif v >= 0 and zero_row < r < h + 0.5:
                ch, style = "█", "green" if name.endswith("balance_usd") else "cyan"
            elif v < 0 and h - 0.5 < r < zero_row:
                ch, style = "█", "red"
            else:
                ch, style = " ", None
            line.append(ch, style=style)
        if r == zero_row:
            label = "$0"
        elif r in (0, rows):
            label = format_quantity(lo + span * r / rows, "money")
        else:
            label = ""
        line.append(f" {label}", style="dim")
        lines.append(line)
    axis = Text(months[0])
    gap = result.value("funding.gap_month") if "funding.gap_month" in result else None
    pad = max(cols - len(months[0]) - len(months[-1]), 1)
    axis.append(" " * pad + months[-1])
    body = Text("\n").join(lines + [axis])
    if gap:
        pos = picks.index(min(picks, key=lambda i: abs(i - months.index(gap))))
        body.append("\n" + " " * pos + "▲ ", style="red")
        body.append(f"cash runs out {gap}", style="red")
    return Panel(body, title=title, title_align="left", box=box.ROUNDED, expand=False)


def breakdown_tree(result: Result) -> Optional[Tree]:
    """Capex by datacenter and fleet, line by line."""
    sites = sorted({f.name.split(".")[2] for f in result.under("capex.datacenters.")})
    fleets = sorted({f.name.split(".")[2] for f in result.under("capex.fleets.")})
    if not sites and not fleets:
        return None
    tree = Tree(Text(f"Capex {fmt(result, 'capex.total_usd')}", style="bold"))
    for group, names, lines in (("datacenters", sites, ("construction", "land", "power")),
                                ("fleets", fleets, ("accelerators", "servers", "network",
                                                    "storage"))):
        for n in names[:MAX_ROWS]:
            branch = tree.add(f"{safe.markup(n)}: {fmt(result, f'capex.{group}.{n}.total_usd')}")
            for line in lines:
                branch.add(f"{line} {fmt(result, f'capex.{group}.{n}.{line}_usd')}", style="dim")
        if _more(names):
            tree.add(f"{group}: {_more(names)}", style="dim")
    return tree


def _has_costing(result: Result) -> bool:
    return bool(to_plain(result.value("capex.total_usd")) or to_plain(result.value("opex.total_usd")))


def sections(result: Result) -> List:
    """The report's parts, top to bottom."""
    verdict = verdict_panel(result)
    parts: List = [verdict, header(result)] if verdict is not None else [header(result)]
    for table in [money_flow_table(result), yearly_table(result), branches_table(result)] \
            + entities_tables(result) + [training_table(result), plan_table(result)]:
        if table is not None:
            parts.append(table)
    if _has_costing(result):
        parts.append(_money_table(result, "Capex of fleets and datacenters", CAPEX_LINES, "capex",
                                  "capex.total_usd"))
        parts.append(_money_table(
            result, "Opex over the horizon", OPEX_LINES, "opex", "opex.total_usd",
            note=f"annual run rate at the end: {fmt(result, 'opex.annual_run_rate_usd')}"))
        for extra in (breakdown_tree(result), fleets_table(result)):
            if extra is not None:
                parts.append(extra)
        parts.append(power_table(result))
        parts.append(depreciation_table(result))
    chart = balance_chart(result)
    if chart is not None:
        parts.insert(2 if verdict is not None else 1, chart)
    if result.warnings:
        parts.append(Panel(Text("\n".join(safe.clean(w) for w in result.warnings)), title="warnings", box=box.ROUNDED,
                           border_style="yellow", title_align="left"))
    return parts


def render(result: Result, console: Console) -> None:
    console.print(Group(*sections(result)))


class _Buffer:
    """A text buffer that declares an encoding (rich draws ASCII boxes for a non-UTF one)."""

    def __init__(self, encoding: str):
        import io
        self.buf, self.encoding = io.StringIO(), encoding

    def write(self, text: str) -> int:
        return self.buf.write(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def plain_text(renderable, width: int = 100, ascii_only: bool = False) -> str:
    """A renderable as plain text (no escape codes) at a given width; ASCII boxes if asked."""
    out = _Buffer("ascii" if ascii_only else "utf-8")
    console = Console(file=out, width=width, no_color=True, color_system=None,
                      force_terminal=False, legacy_windows=False)
    console.print(renderable)
    text = out.buf.getvalue()
    if ascii_only:
        from .encoding import ASCII
        return text.translate(ASCII)
    return text


def export(renderable, kind: str, width: int, title: str) -> str:
    """The rendered report as an SVG picture or an HTML page."""
    import io
    console = Console(file=io.StringIO(), width=width, record=True, force_terminal=True,
                      color_system="truecolor", legacy_windows=False)
    console.print(renderable)
    if kind == "svg":
        import re
        # rich links its font from a CDN; the picture must open with no request to any host,
        # so the @font-face rules go and the local monospace font draws it
        from ..text import clean            # the title is the scenario's: its name, as written
        return re.sub(r"\s*@font-face\s*\{[^}]*\}", "", console.export_svg(title=clean(title)))
    return console.export_html(inline_styles=True)
