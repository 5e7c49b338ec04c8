"""`estimator explain`: a figure, its formula, and the chain of inputs down to their sources."""
from __future__ import annotations

from ..result import Result, chain, to_plain
from ..units import format_quantity


def _value(fig) -> str:
    v = to_plain(fig.value)
    if fig.series or isinstance(v, list):       # a month-by-month value, flagged or not
        if v and not isinstance(v[0], list):
            return (f"monthly series, {len(v)} months; last month "
                    f"{format_quantity(v[-1], fig.unit)}")
        return "monthly series"
    if fig.unit in ("flag", "text", "month"):
        return str(v)
    return format_quantity(v, fig.unit)


#: what a run's summary shows, in order: (figure suffix, label)
RUN_SUMMARY = (
    ("compute_flop", "final-run compute"),
    ("final_gpu_hours", "final-run accelerator-hours"),
    ("experiments_gpu_hours", "experiments, accelerator-hours"),
    ("accelerators", "accelerators"),
    ("days", "days"),
    ("implied_mfu", "implied MFU (wall-clock, goodput included)"),
    ("years_since_acquisition", "years from hardware acquisition to the run's start"),
    ("value_per_accelerator_usd", "value per accelerator when acquired"),
    ("value_at_start_usd", "value per accelerator at the run's start"),
    ("chip_power_w", "power: chip (accelerators x TDP)"),
    ("server_power_w", "power: server (whole servers at maximum)"),
    ("it_power_w", "power: IT (servers + network and storage)"),
    ("facility_power_w", "power: facility (IT x PUE)"),
    ("energy_wh", "energy"),
    ("cost.amortized_usd", "amortized cost"),
    ("cost.rental_usd", "rental cost"),
    ("cost.build_usd", "build cost"),
)


def render_run(result: Result, prefix: str) -> str:
    """A run's key figures, each with its formula: value at its start, the power definitions
    side by side, the MFU its hours imply."""
    lines = [f"{prefix}: key figures (explain any of them for its inputs and sources)"]
    for suffix, label in RUN_SUMMARY:
        fig = result.figures.get(f"{prefix}.{suffix}")
        if fig is None:
            continue
        lines.append(f"  {label:<52} {_value(fig):>16}   {fig.name}")
        if fig.formula and fig.formula != "input":
            lines.append(f"  {'':<52} {'':>16}   = {fig.formula}")
    return "\n".join(lines) + "\n"


def is_run(result: Result, name: str) -> bool:
    """Whether ``name`` is a run's prefix (``training.KEY``) rather than a figure."""
    return name not in result.figures and f"{name}.gpu_hours" in result.figures


def render(result: Result, name: str) -> str:
    if is_run(result, name):
        return render_run(result, name)
    lines = []
    for depth, fig in chain(result, name):
        pad = "    " * depth
        lines.append(f"{pad}{fig.name} = {_value(fig)}")
        if fig.formula and fig.formula != "input":
            lines.append(f"{pad}  = {fig.formula}")
        for src in fig.sources:
            lines.append(f"{pad}  source: {src}")
    return "\n".join(lines) + "\n"
