"""Constant dollars: restate money of one year in the dollars of a base year with a price index.

Studies state training costs in constant dollars (Epoch AI: 2023 USD). A value paid in year
``y`` is worth ``value x index(base) / index(y)`` base-year dollars. Past the index's last
year it grows at a stated projection rate; before its first year there is no figure.

References
----------
.. [1] US Bureau of Labor Statistics, CPI for All Urban Consumers (CPI-U), annual averages.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np


def index_for(index_by_year: Mapping[str, float], projection: float, year: int) -> float:
    """The index in ``year``; after the last year given, grown at ``projection`` a year.

    Raises
    ------
    ValueError
        For a year before the first one given.
    """
    years = sorted(int(y) for y in index_by_year)
    if year < years[0]:
        raise ValueError(f"the price index starts in {years[0]}; {year} is earlier")
    if year <= years[-1]:
        return float(index_by_year[str(year)])
    return float(index_by_year[str(years[-1])]) * (1.0 + projection) ** (year - years[-1])


def deflator(index_by_year: Mapping[str, float], projection: float, year: int,
             base_year: int) -> float:
    """Base-year dollars per dollar of ``year``: index(base) / index(year) [1]. [1]"""
    return index_for(index_by_year, projection, base_year) / index_for(index_by_year, projection,
                                                                       year)


def to_base_year(usd_by_year, years, index_by_year: Mapping[str, float], projection: float,
                 base_year: int):
    """Sum of amounts paid in several years, in base-year dollars. [USD of the base year]

    ``usd_by_year`` is an array whose last axis runs over ``years``.
    """
    f = np.array([deflator(index_by_year, projection, int(y), base_year) for y in years])
    return np.sum(np.asarray(usd_by_year, dtype=float) * f, axis=-1)
