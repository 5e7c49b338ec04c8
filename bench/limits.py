"""A generated scenario at every size limit: 500 datacenters, 500 fleets, 500 runs, 1,200 months.

    python bench/limits.py > /tmp/limits.yaml      # write it
    estimator report /tmp/limits.yaml

Used by ``bench/speed.py``; every value is plausible so the engine does its full work (every
fleet delivered, every run costed three ways, the funding verdict over 100 years), and it
carries 200 uncertain inputs (the limit) spread over sites, fleets, runs and funding.
"""
from __future__ import annotations

import sys

N_ITEMS = 500
MONTHS = 1200
N_UNCERTAIN = 200


def limit_scenario(items: int = N_ITEMS, months: int = MONTHS, uncertain: int = N_UNCERTAIN) -> str:
    start_year = 2025
    end = start_year * 12 + months - 1
    lines = [f"scenario: generated at the size limits ({items} sites, fleets and runs, "
             f"{months} months)",
             f"horizon: {{start: {start_year}-01, end: {end // 12}-{end % 12 + 1:02d}}}",
             "datacenters:"]
    for i in range(items):
        y, m = start_year + (i % 40), i % 12 + 1
        mode = "lease" if i % 5 == 4 else "build"
        build = f", build: {{start: {y}-{m:02d}, months: 12}}" if mode == "build" else \
            f", build: {{start: {y}-{m:02d}}}"
        lines.append(f"  dc{i}: {{it_capacity: 50 MW, mode: {mode}, pue: 1.2{build}}}")
    lines.append("fleets:")
    for i in range(items):
        y, m = start_year + (i % 40) + 1, i % 12 + 1
        lines.append(f"  f{i}: {{server: hgx-h100, accelerators: 20000, site: dc{i}, "
                     f"delivery: {{start: {y}-{m:02d}, months: 6}}}}")
    lines.append("training:")
    for i in range(items):
        y, m = start_year + 1 + (i * 98) // items, i % 12 + 1
        if i % 3 == 0:
            lines.append(f"  - {{name: run{i}, compute: 3e25 FLOP, start: {y}-{m:02d}, "
                         f"on: f{i}, mfu: 40%}}")
        elif i % 3 == 1:
            lines.append(f"  - {{name: run{i}, compute: 1e25 FLOP, start: {y}-{m:02d}, "
                         "max_days: 60, rent: {accelerator: h100-sxm, price: $2.5/GPU-hour}}")
        else:
            lines.append(f"  - {{name: run{i}, compute: 5e25 FLOP, start: {y}-{m:02d}, "
                         "max_days: 90, precision: fp8}")
    lines += ["funding:", "  cash: $500B",
              "  raises:"]
    for i in range(50):
        lines.append(f"    - {{name: r{i}, amount: $20B, date: {start_year + 2 * i}-06}}")
    lines += ["  revenue: {2025: $10B, 2030: $100B}", "  revenue_growth: 3%",
              "  operations: {payroll: {2025: $4B}, growth: 3%}",
              "uncertainty:"]
    kinds = [lambda i: f'  datacenters.dc{i}.pue: {{low: 1.1, high: 1.4}}',
             lambda i: f'  fleets.f{i}.server_price: {{p10: $250k, p90: $400k}}',
             lambda i: f'  "training[{i}].mfu": {{low: 30%, mode: 40%, high: 45%}}',
             lambda i: f'  datacenters.dc{i}.electricity: {{low: $0.05/kWh, high: $0.10/kWh}}']
    for k in range(uncertain):
        lines.append(kinds[k % 4](k // 4 * 3 if k % 4 == 2 else k // 4))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(limit_scenario())
