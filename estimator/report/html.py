"""A report as one self-contained HTML page, to share: a title, the verdict, semantic tables,
the charts as inline SVG, print-friendly, and no request to any other host (a
Content-Security-Policy forbids them, so a page that tried would show it)."""
from __future__ import annotations

from typing import List, Optional, Sequence

from ..result import Result, to_plain
from ..text import html as escape     # every string: control characters shown, then escaped
from ..units import format_quantity
from .compare import columns as compare_columns, rows as compare_rows, \
    title as compare_title
from .terminal import CAPEX_LINES, OPEX_LINES, SOURCE_LINES, USE_LINES, fmt

CSS = """
:root { --ok: #1a7f37; --bad: #cf222e; --ink: #1f2328; --dim: #59636e; --rule: #d1d9e0; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
.meta { color: var(--dim); margin: 0; }
.verdict { border: 2px solid; border-radius: 6px; padding: .8rem 1rem; margin: 1.2rem 0; }
.verdict.covered { border-color: var(--ok); } .verdict.short { border-color: var(--bad); }
.verdict strong { font-size: 1.2rem; }
.covered strong { color: var(--ok); } .short strong { color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem;
        font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { padding: .25rem .5rem; border-bottom: 1px solid var(--rule); text-align: left;
         vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
tr.total td, tr.total th { font-weight: 600; border-top: 2px solid var(--ink); }
figure { margin: 1rem 0; } figcaption { color: var(--dim); font-size: .9rem; }
svg { max-width: 100%; height: auto; }
ul.warnings { color: #9a6700; }
footer { color: var(--dim); font-size: .85rem; margin-top: 2rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  section, table, figure { break-inside: avoid; }
  .verdict { border-width: 1px; }
}
"""


def _table(caption: str, header: Sequence[str], rows: List[Sequence[str]], numeric=(),
           total_last: bool = False, cls: str = "") -> str:
    head = "".join(f'<th scope="col"{" class=n" if i in numeric else ""}>{escape(h)}</th>'
                   for i, h in enumerate(header))
    body = []
    for r, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            text = escape(str(cell))
            if i == 0:
                cells.append(f'<th scope="row">{text}</th>')
            else:
                cells.append(f'<td{" class=n" if i in numeric else ""}>{text}</td>')
        total = ' class="total"' if total_last and r == len(rows) - 1 else ""
        body.append(f"<tr{total}>{''.join(cells)}</tr>")
    attr = f' class="{cls}"' if cls else ""
    return (f"<table{attr}><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _verdict(result: Result) -> str:
    """The verdict in the report's own words (shared with the terminal and Markdown)."""
    if "funding.covered" not in result:
        return ""
    from . import money
    covered, words, lines = money.headline(result)
    more = [line for line in lines + [money.money_in(result) or ""] if line]
    more.append(f"The money raised ({fmt(result, 'funding.money_raised_usd')}) could instead "
                f"buy {fmt(result, 'funding.could_buy.accelerators')} accelerators "
                f"({fmt(result, 'funding.could_buy.facility_w')}).")
    head = f"<strong>{'Covered' if covered else 'Not covered'}</strong> {escape(words)}"
    return (f'<section class="verdict {"covered" if covered else "short"}" id="verdict" '
            f'aria-label="Funding verdict"><p>{head}</p>'
            + "".join(f"<p>{escape(line)}</p>" for line in more) + "</section>")


def _years_and_entities(result: Result) -> str:
    """Year by year, each entity's verdict and the money between them, where there are any."""
    from . import money
    out = ""
    years = money.yearly_rows(result)
    if years:
        out += _table("Year by year (burn = uses - revenue and lease income, before equity and "
                      "debt)", money.YEARLY_HEADER, years, numeric=range(1, 6))
    entities = money.entity_rows(result)
    if entities:
        out += _table("Each entity's verdict", money.ENTITY_HEADER, entities,
                      numeric=range(2, 6))
        flows = money.flow_rows(result)
        if flows:
            out += _table("Money between the entities", money.FLOW_HEADER, flows,
                          numeric=(3,))
    return out


def _nonzero(result: Result, name: str) -> bool:
    return name in result and bool(to_plain(result.value(name)))


def _money_flow(result: Result) -> str:
    if "funding.covered" not in result:
        return ""
    rows = [["Cash at the start", fmt(result, "inputs.funding.cash_usd")]]
    rows += [[label, fmt(result, f"funding.sources.{k}_usd")] for k, label in SOURCE_LINES
             if _nonzero(result, f"funding.sources.{k}_usd")]
    rows.append(["Sources", fmt(result, "funding.sources_usd")])
    uses = [[label, fmt(result, f"funding.uses.{k}_usd")] for k, label in USE_LINES
            if _nonzero(result, f"funding.uses.{k}_usd")]
    uses.append(["Uses", fmt(result, "funding.uses_usd")])
    end = result.value("funding.window_end")
    return (_table(f"Sources through {end}", ["", "USD"], rows, numeric=(1,), total_last=True)
            + _table(f"Uses through {end}", ["", "USD"], uses, numeric=(1,), total_last=True))


def _branches(result: Result) -> str:
    flags = result.tables.get("branches")
    if not flags:
        return ""
    rows = []
    for row in flags:
        for branch in (True, False):
            p = f"funding.branches.{row['flag']}.{str(branch).lower()}"
            rows.append([f"{row['flag']} = {str(branch).lower()}"
                         + (" (as set)" if branch == row["value"] else ""),
                         "covered" if result.value(f"{p}.covered") else "not covered",
                         fmt(result, f"{p}.shortfall_usd"),
                         result.value(f"{p}.gap_month") or "–"])
    return _table("Conditions: both branches", ["condition", "verdict", "shortfall",
                                                 "cash runs out"], rows, numeric=(2,))


def _training(result: Result) -> str:
    runs = result.tables.get("training")
    if not runs:
        return ""

    def get(name):
        return fmt(result, name) if name in result else "–"

    rows = []
    for row in runs:
        p = f"training.{row['key']}"
        rows.append([row["run"], row["start"], get(f"{p}.total_compute_flop"),
                     get(f"{p}.accelerators"), get(f"{p}.facility_power_w"),
                     f"{to_plain(result.value(f'{p}.days')):.0f}", get(f"{p}.cost.amortized_usd"),
                     get(f"{p}.cost.rental_usd"), get(f"{p}.cost.build_usd")])
    rows.append(["Total", "", get("training.total_compute_flop"), "", "", "",
                 get("training.cost.amortized_usd"), get("training.cost.rental_usd"),
                 get("training.cost.build_usd")])
    return _table("Training runs: cost three ways", ["run", "start", "FLOP", "accelerators",
                                                    "facility power", "days", "amortized",
                                                    "rental", "build"], rows,
                  numeric=range(2, 9), total_last=True)


def _costing(result: Result) -> str:
    if not (_nonzero(result, "capex.total_usd") or _nonzero(result, "opex.total_usd")):
        return ""
    capex = [[label, fmt(result, f"capex.{k}_usd")] for k, label in CAPEX_LINES
             if _nonzero(result, f"capex.{k}_usd")] + [["Capex", fmt(result, "capex.total_usd")]]
    opex = [[label, fmt(result, f"opex.{k}_usd")] for k, label in OPEX_LINES
            if _nonzero(result, f"opex.{k}_usd")]
    opex.append(["Opex over the horizon", fmt(result, "opex.total_usd")])
    power = [[label, fmt(result, name)] for name, label in (
        ("power.it_w", "IT power (peak)"), ("power.facility_w", "Facility power (IT x PUE)"),
        ("power.site_capacity_w", "Datacenter IT capacity"),
        ("energy.total_wh", "Energy over the horizon"),
        ("opex.annual_run_rate_usd", "Opex run rate at the end, per year")) if name in result]
    return (_table("Capex of fleets and datacenters", ["line", "USD"], capex, numeric=(1,),
                   total_last=True)
            + _table("Opex over the horizon", ["line", "USD"], opex, numeric=(1,), total_last=True)
            + _table("Power and energy", ["", ""], power, numeric=(1,)))


def balance_svg(result: Result, width: int = 720, height: int = 220) -> Optional[str]:
    """The monthly cash balance (or spending) as bars around a zero line, inline SVG."""
    if "monthly.funding.balance_usd" in result:
        name, title = "monthly.funding.balance_usd", "Cash balance, month by month"
    elif "monthly.cash_out_usd" in result and _nonzero(result, "capex.total_usd"):
        name, title = "monthly.cash_out_usd", "Spending, month by month"
    else:
        return None
    values = [float(v) for v in to_plain(result.value(name))]
    if not values:
        return None
    left, right, top, bottom = 70, 10, 10, 30
    w, h = width - left - right, height - top - bottom
    lo, hi = min(min(values), 0.0), max(max(values), 0.0)
    span = (hi - lo) or 1.0

    def y(v):
        return top + (hi - v) / span * h

    step = w / len(values)
    bars = []
    for i, v in enumerate(values):
        y0, y1 = sorted((y(0.0), y(v)))
        color = "#cf222e" if v < 0 else "#1a7f37"
        bars.append(f'<rect x="{left + i * step:.2f}" y="{y0:.2f}" width="{max(step - 1, 0.5):.2f}"'
                    f' height="{max(y1 - y0, 0.5):.2f}" fill="{color}"/>')
    months = result.months
    labels = [f'<text x="{left - 6}" y="{y(hi) + 4:.1f}" text-anchor="end">'
              f'{escape(format_quantity(hi, "money"))}</text>',
              f'<text x="{left - 6}" y="{y(0.0) + 4:.1f}" text-anchor="end">$0</text>',
              f'<text x="{left}" y="{height - 8}">{escape(months[0])}</text>',
              f'<text x="{width - right}" y="{height - 8}" text-anchor="end">'
              f'{escape(months[-1])}</text>']
    if lo < 0:
        labels.append(f'<text x="{left - 6}" y="{y(lo):.1f}" text-anchor="end">'
                      f'{escape(format_quantity(lo, "money"))}</text>')
    gap = result.value("funding.gap_month") if "funding.gap_month" in result else None
    if gap and gap in months:
        x = left + months.index(gap) * step
        labels.append(f'<line x1="{x:.2f}" x2="{x:.2f}" y1="{top}" y2="{top + h}" '
                      f'stroke="#cf222e" stroke-dasharray="4 3"/><text x="{x + 4:.1f}" '
                      f'y="{top + 12}" fill="#cf222e">cash runs out {escape(gap)}</text>')
    return (f'<figure><svg role="img" aria-labelledby="chart-balance-title" viewBox="0 0 {width} '
            f'{height}" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">'
            f'<title id="chart-balance-title">{escape(title)}</title>'
            f'<line x1="{left}" x2="{width - right}" y1="{y(0.0):.2f}" y2="{y(0.0):.2f}" '
            f'stroke="#59636e"/>{"".join(bars)}{"".join(labels)}</svg>'
            f"<figcaption>{escape(title)}</figcaption></figure>")


def capex_svg(result: Result, width: int = 720) -> Optional[str]:
    """Capex by line as horizontal bars, inline SVG."""
    lines = [(label, to_plain(result.value(f"capex.{k}_usd"))) for k, label in CAPEX_LINES
             if _nonzero(result, f"capex.{k}_usd")]
    if not lines:
        return None
    bar_h, left = 22, 230
    height = bar_h * len(lines) + 10
    top = max(v for _, v in lines) or 1.0
    parts = []
    for i, (label, v) in enumerate(lines):
        y = 5 + i * bar_h
        bw = (width - left - 90) * v / top
        parts.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{bw:.2f}" height="{bar_h - 6}" '
                     f'fill="#0969da"/><text x="{left + bw + 6:.2f}" y="{y + 15}">'
                     f'{escape(format_quantity(v, "money"))}</text>')
    return (f'<figure><svg role="img" aria-labelledby="chart-capex-title" viewBox="0 0 {width} '
            f'{height}" xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="sans-serif">'
            f'<title id="chart-capex-title">Capex by line</title>{"".join(parts)}</svg>'
            f"<figcaption>Capex by line: {fmt(result, 'capex.total_usd')} in all</figcaption>"
            f"</figure>")


def _one(result: Result) -> str:
    parts = [f"<h1>{escape(result.title)}</h1>",
             f'<p class="meta">{escape(result.months[0])} to {escape(result.months[-1])} '
             f"({len(result.months)} months) · from {escape(', '.join(result.files))}</p>",
             _verdict(result)]
    chart = balance_svg(result)
    if chart:
        parts.append(f'<section aria-label="Cash"><h2>Cash</h2>{chart}</section>')
    flow = _money_flow(result) + _branches(result) + _years_and_entities(result)
    if flow:
        parts.append(f"<section><h2>Sources and uses</h2>{flow}</section>")
    runs = _training(result)
    if runs:
        parts.append(f"<section><h2>Training</h2>{runs}</section>")
    cost = _costing(result)
    if cost:
        parts.append(f"<section><h2>Capex and opex</h2>{capex_svg(result) or ''}{cost}</section>")
    if result.warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in result.warnings)
        parts.append(f'<section><h2>Warnings</h2><ul class="warnings">{items}</ul></section>')
    return "".join(parts)


def _side_by_side(results: List[Result]) -> str:
    header = [""] + compare_columns(results)
    body = [[label] + cells for label, cells in compare_rows(results)]
    return (f"<h1>{escape(compare_title(results))}</h1>"
            + _table("Headline figures (Δ: difference from the first scenario)", header, body,
                     numeric=range(1, len(header)))
            + "".join(f"<section>{_one(r).replace('<h1>', '<h2>').replace('</h1>', '</h2>')}"
                      "</section>" for r in results))


def render(results: List[Result]) -> str:
    """The page for one result, or several side by side."""
    title = results[0].title if len(results) == 1 else "Side by side: " + " vs ".join(
        r.title for r in results)
    main = _one(results[0]) if len(results) == 1 else _side_by_side(results)
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return ("<!doctype html>\n"
            f'<html lang="en"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)} · estimator</title><style>{CSS}</style></head>"
            f"<body><main>{main}</main><footer>Generated by estimator report --html; "
            "<code>estimator explain</code> shows how any figure is computed.</footer>"
            "</body></html>\n")

