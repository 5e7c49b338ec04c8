"""Fleet rollup: accelerators -> servers -> racks, capex lines and IT power.

Every function takes floats or numpy arrays and broadcasts.

References
----------
.. [1] B. Cottier, R. Rahman, L. Fattorini, N. Maslej, D. Owen, "The rising costs of
   training frontier AI models", arXiv:2405.21015, 2024 (Epoch AI), and its code
   github.com/epoch-research/training-cost-trends: server cost ~1.64x accelerators,
   cluster interconnect 19% of cluster cost.
"""
from __future__ import annotations

import numpy as np


def servers_needed(accelerators, per_server):
    """Whole servers needed to hold the accelerators. [count]"""
    return np.ceil(np.asarray(accelerators, dtype=float) / per_server)


def racks_needed(servers, per_rack):
    """Whole racks needed to hold the servers. [count]"""
    return np.ceil(np.asarray(servers, dtype=float) / per_rack)


def accelerators_capex_usd(accelerators, price_usd):
    """Accelerators x price of one. [USD]"""
    return accelerators * price_usd


def server_rest_capex_usd(servers, server_price_usd, per_server, accelerator_price_usd):
    """The rest of each server (chassis, CPUs, memory, NICs): server price less its accelerators. [USD]

    Never negative: a server quoted below its accelerators' list price counts as zero.
    """
    return servers * np.maximum(server_price_usd - per_server * accelerator_price_usd, 0.0)


def network_capex_usd(servers_usd, share):
    """Cluster network as a share of total cluster cost [1]: servers x share / (1 - share). [USD]"""
    return servers_usd * share / (1.0 - share)


def storage_capex_usd(accelerators, per_accelerator_usd):
    """Storage capex per accelerator. [USD]"""
    return accelerators * per_accelerator_usd


def it_power_w(servers, server_power_w, network_power_share):
    """IT power: servers at their maximum power, plus network and storage power. [W]"""
    return servers * server_power_w * (1.0 + network_power_share)


def facility_power_w(it_w, pue):
    """Facility power = IT power x PUE. [W]"""
    return it_w * pue
