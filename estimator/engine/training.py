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

from ..units import HOURS_PER_YEAR


def compute_flop(params, tokens):
    """Training compute C = 6 N D [1]. [FLOP]"""
    return 6.0 * params * tokens


def gpu_hours(compute, peak_flop_per_s, mfu, goodput):
    """Accelerator-hours: C / (peak x MFU x 3600) / goodput [3]. [hours]"""
    return compute / (peak_flop_per_s * mfu * 3600.0) / goodput


def wall_clock_days(gpu_hours_, accelerators):
    """Days on ``accelerators`` accelerators. [days]"""
    return gpu_hours_ / np.maximum(accelerators, 1e-300) / 24.0


def accelerators_for_window(compute, peak_flop_per_s, mfu, goodput, days):
    """Whole accelerators needed to finish within ``days``. [count]"""
    return np.ceil(gpu_hours(compute, peak_flop_per_s, mfu, goodput) / (days * 24.0) - 1e-9)


def energy_wh(gpu_hours_, it_w_per_accelerator, utilisation, pue):
    """Facility energy: accelerator-hours x all-in IT power x average draw x PUE [3]. [Wh]"""
    return gpu_hours_ * it_w_per_accelerator * utilisation * pue


def amortized_hardware_usd(gpu_hours_, value_per_accelerator_usd, decay_oom_per_year):
    """Hardware value lost over the run: hours x value x decay x ln(10) / 8766 [3]. [USD]"""
    return gpu_hours_ * value_per_accelerator_usd * decay_oom_per_year * math.log(10) / HOURS_PER_YEAR


def rental_usd(gpu_hours_, price_usd_per_hour, discount):
    """Accelerator-hours x price x (1 - discount). [USD]"""
    return gpu_hours_ * price_usd_per_hour * (1.0 - discount)


def projected(value, years, doubling_years):
    """A quantity that doubles every ``doubling_years``, ``years`` later [4]."""
    return value * 2.0 ** (np.asarray(years, dtype=float) / doubling_years)
