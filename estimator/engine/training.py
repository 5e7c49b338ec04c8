"""Training-run formulas: compute, GPU-hours, time, energy and cost. Floats or arrays.

References
----------
.. [1] J. Kaplan et al., "Scaling Laws for Neural Language Models", arXiv:2001.08361, 2020:
   training compute C ~= 6 N D (N parameters, D tokens; active parameters for MoE).
.. [2] Q. Anthony, S. Biderman, H. Schoelkopf, "Transformer Math 101", EleutherAI, 2023.
.. [3] B. Cottier et al., "The rising costs of training frontier AI models",
   arXiv:2405.21015, 2024 (Epoch AI): chip-hours = FLOP / (peak x MFU) / 3600; amortized
   hardware cost = value x 0.14 ln(10) per year / 8766 h per chip-hour; energy = chip
   power x server ratio x average power fraction x PUE x chip-hours.
.. [4] M. Hobbhahn, T. Besiroglu, "Trends in GPU price-performance", Epoch AI, 2022.
"""
from __future__ import annotations

import math

import numpy as np

from ..units import HOURS_PER_MONTH, HOURS_PER_YEAR
from .ledger import formula


@formula("6 x params x tokens (Kaplan et al. 2020)")
def compute_flop(params, tokens):
    """Training compute C = 6 N D [1]. [FLOP]"""
    return 6.0 * params * tokens


@formula("total compute / (peak x MFU x 3600) / goodput")
def gpu_hours(compute, peak_flop_per_s, mfu, goodput):
    """Accelerator-hours: C / (peak x MFU x 3600) / goodput [3]. [hours]"""
    return compute / (peak_flop_per_s * mfu * 3600.0) / goodput


@formula("accelerator-hours / accelerators / 24")
def wall_clock_days(gpu_hours_, accelerators):
    """Days on ``accelerators`` accelerators. [days]"""
    return gpu_hours_ / np.maximum(accelerators, 1e-300) / 24.0


@formula("accelerators to finish within max_days, rounded up")
def accelerators_for_window(compute, peak_flop_per_s, mfu, goodput, days):
    """Whole accelerators needed to finish within ``days``. [count]"""
    return np.ceil(gpu_hours(compute, peak_flop_per_s, mfu, goodput) / (days * 24.0) - 1e-9)


@formula("accelerator-hours x IT power per accelerator x utilisation x PUE")
def energy_wh(gpu_hours_, it_w_per_accelerator, utilisation, pue):
    """Facility energy: accelerator-hours x all-in IT power x average draw x PUE [3]. [Wh]"""
    return gpu_hours_ * it_w_per_accelerator * utilisation * pue


def amortized_hardware_usd(gpu_hours_, value_per_accelerator_usd, decay_oom_per_year):
    """Hardware value lost over the run: hours x value x decay x ln(10) / 8766 [3]. [USD]"""
    return gpu_hours_ * value_per_accelerator_usd * decay_oom_per_year * math.log(10) / HOURS_PER_YEAR


@formula("accelerator-hours x rental price x (1 - discount)")
def rental_usd(gpu_hours_, price_usd_per_hour, discount):
    """Accelerator-hours x price x (1 - discount). [USD]"""
    return gpu_hours_ * price_usd_per_hour * (1.0 - discount)


def projected(value, years, doubling_years):
    """A quantity that doubles every ``doubling_years``, ``years`` later [4]."""
    return value * 2.0 ** (np.asarray(years, dtype=float) / doubling_years)


@formula("final-run compute x experiments multiplier")
def total_compute_flop(compute, experiments):
    """Compute of the final run and the experiments around it. [FLOP]"""
    return compute * experiments


@formula("accelerator-hours x value per accelerator at the run's start x decay x ln(10) / "
         "8766 h + energy cost (Epoch AI's method)")
def amortized_usd(gpu_hours_, value_per_accelerator_usd, decay_oom_per_year, energy_usd,
                  staff_usd=0.0):
    """Amortized cost of a run: hardware value lost over it, energy, staff [3]. [USD]"""
    return (amortized_hardware_usd(gpu_hours_, value_per_accelerator_usd, decay_oom_per_year)
            + energy_usd + staff_usd)


@formula("accelerator-hours x rental price x (1 - discount)")
def rental_cost_usd(gpu_hours_, price_usd_per_hour, discount, staff_usd=0.0):
    """Rental cost of a run, with its staff. [USD]"""
    return rental_usd(gpu_hours_, price_usd_per_hour, discount) + staff_usd


@formula("capex of the capacity the run needs or adds + energy")
def build_cost_usd(capex_usd, energy_usd, staff_usd=0.0):
    """Build cost of a run: the capex of its capacity, energy, staff. [USD]"""
    return capex_usd + energy_usd + staff_usd


@formula("total compute / (max_days x 86400 x MFU x goodput)")
def required_flop_per_s(compute, max_days, mfu, goodput):
    """Throughput a run needs to finish within ``max_days``. [FLOP/s]"""
    return compute / (max_days * 86400.0 * mfu * goodput)


@formula("total compute / (FLOP/s of all its accelerators x MFU x goodput) / 86400")
def days_at_throughput(compute, flop_per_s, mfu, goodput):
    """Days a run takes at a cluster's peak throughput. [days]"""
    return compute / (flop_per_s * mfu * goodput) / 86400.0


@formula("accelerators x days x 24")
def accelerator_hours(accelerators, days):
    """Accelerator-hours of a run on ``accelerators`` for ``days``. [hours]"""
    return accelerators * (days * 24.0)


@formula("IT power x PUE")
def facility_power_w(it_w, pue):
    """Facility power of a run's cluster. [W]"""
    return it_w * pue


@formula("IT power per accelerator x accelerators")
def it_power_w(it_w_per_accelerator, accelerators):
    """IT power of a run's cluster. [W]"""
    return it_w_per_accelerator * accelerators


def span_months(days):
    """Calendar months a run of ``days`` spans, at least one (per sample when days are)."""
    return np.maximum(np.ceil(np.asarray(days, dtype=float) * 24 / HOURS_PER_MONTH), 1)


def run_months(days) -> int:
    """Calendar months a run spans (at least one), from its length in days (largest sample)."""
    return int(np.max(span_months(days)))


def on_time(runs, last: int):
    """Whether every run fits its max_days and ends by month offset ``last``, per sample.

    ``runs``: (fits, start offset, days) of each run; fits and days may carry sample axes;
    a run spans :func:`span_months` of its days.
    """
    ok = np.bool_(True)
    for fits, start, days in runs:
        ok = ok & np.asarray(fits, dtype=bool) & (start + span_months(days) - 1 <= last)
    return bool(ok) if np.ndim(ok) == 0 else ok


@formula("accelerators x (cluster value per accelerator + IT power x buildings per W)")
def cluster_build_usd(accelerators, value_per_accelerator_usd, it_w_per_accelerator,
                      buildings_usd_per_w):
    """Capex of a cluster and the buildings around it. [USD]"""
    return accelerators * (value_per_accelerator_usd + it_w_per_accelerator * buildings_usd_per_w)


@formula("users x tokens per user per day x 2 x active parameters / 86400 / (peak x "
         "utilisation)")
def serving_accelerators(users, tokens_per_user_per_day, active_params, peak_flop_per_s,
                         utilisation):
    """Accelerators to serve users: users x tokens/day x 2 N / 86400 / (peak x utilisation). [count]

    Inference costs ~2 FLOP per active parameter per token (Kaplan et al. 2020).
    """
    flop_per_s = users * tokens_per_user_per_day * 2.0 * active_params / 86400.0
    return flop_per_s / (peak_flop_per_s * utilisation)


@formula("months from acquisition to the run's start / 12")
def years_between(start_month_index, end_month_index):
    """Years from one month to another (month indices as in :class:`estimator.model.Month`). [years]"""
    return (np.asarray(end_month_index, dtype=float) - np.asarray(start_month_index, dtype=float)) / 12.0


@formula("value per accelerator when acquired x 10^(-decay x years since acquisition) (Epoch AI: "
         "hardware loses 0.14 orders of magnitude of value a year)")
def value_at_start(value_at_acquisition_usd, years_since_acquisition, decay_oom_per_year):
    """Hardware value at a run's start, depreciated from its value when acquired [3].

    Epoch AI takes the price at acquisition and lowers it by the hardware price-performance
    trend up to the run's start: a cluster bought three years earlier is worth
    ``10 ** (-0.14 * 3)`` ~ 38% of new. Runs that start before the hardware is acquired are
    valued at acquisition (no appreciation).

    Parameters
    ----------
    value_at_acquisition_usd : numeric
        Value of one accelerator's share of the cluster when acquired. [USD]
    years_since_acquisition : numeric
        From acquisition to the run's start; negative values count as zero. [years]
    decay_oom_per_year : numeric
        Orders of magnitude of value lost a year (Epoch AI: 0.14). [1/year]

    Returns
    -------
    numeric
        Value at the run's start. [USD]
    """
    years = np.maximum(np.asarray(years_since_acquisition, dtype=float), 0.0)
    return value_at_acquisition_usd * 10.0 ** (-decay_oom_per_year * years)


@formula("final-run compute / (final-run accelerator-hours x 3600 x peak): MFU over wall-clock "
         "time, goodput included")
def implied_mfu(compute, gpu_hours_, peak_flop_per_s):
    """Model FLOP utilisation implied by a run given as accelerators x time [3].

    Parameters
    ----------
    compute : numeric
        Training compute of the run. [FLOP]
    gpu_hours_ : numeric
        Accelerator-hours the run took, downtime included. [hours]
    peak_flop_per_s : numeric
        Dense peak of one accelerator at the run's precision. [FLOP/s]

    Returns
    -------
    numeric
        compute / (accelerator-hours x 3600 x peak): utilisation over wall-clock time, so it
        *includes* goodput (time lost to failures and restarts). Divide by goodput for the MFU
        while training proper. [1]
    """
    return compute / (gpu_hours_ * 3600.0 * peak_flop_per_s)


@formula("on-demand price x (1 - committed-use discount)")
def committed_price(on_demand_usd_per_hour, discount):
    """A committed-use price from the on-demand price and a discount (Epoch AI's CUD method). [USD/hour]"""
    return on_demand_usd_per_hour * (1.0 - discount)


@formula("accelerators x length of the run")
def accelerator_hours_over(accelerators, hours):
    """Accelerator-hours of a run given as accelerators x wall-clock hours. [hours]"""
    return accelerators * hours


@formula("accelerator-hours / experiments multiplier: the final run's")
def final_gpu_hours(gpu_hours_, experiments):
    """Accelerator-hours of the final run, without the experiments around it. [hours]"""
    return gpu_hours_ / experiments


@formula("final-run accelerator-hours x (experiments multiplier - 1): experiments on the same "
         "capacity, outside the final run (Epoch AI: experiments + training ~1.2-1.5x the final "
         "run)")
def experiments_gpu_hours(final_gpu_hours_, experiments):
    """Accelerator-hours of the experiments around a final run. [hours]"""
    return final_gpu_hours_ * (experiments - 1.0)


@formula("release + acquisition lag")
def acquired_year(released_year, lag_hours):
    """When an owner acquired hardware: its release plus a lag [3]. [year, decimal]"""
    return released_year + lag_hours / HOURS_PER_YEAR


@formula("the run's start - acquisition, in years (0 when acquired after the start)")
def years_since(acquired_year_, start_year):
    """Years from acquisition to a run's start, never negative. [years]"""
    return np.maximum(start_year - acquired_year_, 0.0)
