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

from . import power
from .ledger import formula


@formula("accelerators / accelerators per server, rounded up")
def servers_needed(accelerators, per_server):
    """Whole servers needed to hold the accelerators. [count]"""
    return np.ceil(np.asarray(accelerators, dtype=float) / per_server)


@formula("servers / servers per rack, rounded up")
def racks_needed(servers, per_rack):
    """Whole racks needed to hold the servers. [count]"""
    return np.ceil(np.asarray(servers, dtype=float) / per_rack)


@formula("accelerators x price of one accelerator")
def accelerators_capex_usd(accelerators, price_usd):
    """Accelerators x price of one. [USD]"""
    return accelerators * price_usd


@formula("servers x (server price - accelerators per server x accelerator price)")
def server_rest_capex_usd(servers, server_price_usd, per_server, accelerator_price_usd):
    """The rest of each server (chassis, CPUs, memory, NICs): server price less its accelerators. [USD]

    Never negative: a server quoted below its accelerators' list price counts as zero.
    """
    return servers * np.maximum(server_price_usd - per_server * accelerator_price_usd, 0.0)


@formula("(accelerators + servers) x network share / (1 - network share)")
def network_capex_usd(servers_usd, share):
    """Cluster network as a share of total cluster cost [1]: servers x share / (1 - share). [USD]"""
    return servers_usd * share / (1.0 - share)


@formula("accelerators x storage per accelerator")
def storage_capex_usd(accelerators, per_accelerator_usd):
    """Storage capex per accelerator. [USD]"""
    return accelerators * per_accelerator_usd


@formula("servers x server power x (1 + network and storage power share)")
def it_power_w(servers, server_power_w, network_power_share):
    """IT power: servers at their maximum power, plus network and storage power. [W]"""
    return power.it_w(servers * server_power_w, network_power_share)


@formula("IT power x PUE")
def facility_power_w(it_w, pue):
    """Facility power = IT power x PUE. [W]"""
    return power.facility_w(it_w, pue)


@formula("servers x accelerators per server")
def accelerators_in_servers(servers, per_server):
    """Accelerators in whole servers. [count]"""
    return servers * per_server


@formula("racks x servers per rack x accelerators per server")
def accelerators_in_racks(racks, per_rack, per_server):
    """Accelerators in whole racks. [count]"""
    return racks * per_rack * per_server


@formula("server price / accelerators per server / server factor "
         "(Epoch AI: a server costs ~1.64x its accelerators)")
def accelerator_price_from_server_usd(server_price_usd, per_server, server_factor):
    """The accelerators' part of a quoted server price [1]. [USD]"""
    return server_price_usd / per_server / server_factor


@formula("facility power / accelerators (all-in: server, CPU, network, cooling share)")
def per_accelerator_w(power_w, accelerators):
    """Power per accelerator; a fleet of none has none. [W]"""
    return power_w / np.maximum(accelerators, 1)


@formula("server power / accelerators per server x (1 + network and storage power share)")
def it_w_per_accelerator(server_power_w, per_server, network_power_share):
    """All-in IT power of one accelerator, from its server type. [W]"""
    return server_power_w / per_server * (1 + network_power_share)


@formula("TDP x chip-to-server power ratio x (1 + network and storage power share)")
def it_w_from_chip(tdp_w, chip_to_server_power, network_power_share):
    """All-in IT power of one accelerator with no server type in the catalog [1]. [W]"""
    return tdp_w * chip_to_server_power * (1 + network_power_share)


@formula("server price / accelerators per server / (1 - network share) + storage: the "
         "cluster cost of one accelerator")
def cluster_value_from_server_usd(server_price_usd, per_server, network_share, storage_usd):
    """Cluster cost of one accelerator from its server's price [1]. [USD]"""
    return server_price_usd / per_server / (1 - network_share) + storage_usd


@formula("price x server factor / (1 - network share) + storage (Epoch AI's method)")
def cluster_value_from_chip_usd(price_usd, server_factor, network_share, storage_usd):
    """Cluster cost of one accelerator from the chip's price [1]. [USD]"""
    return price_usd * server_factor / (1 - network_share) + storage_usd


@formula("accelerators / accelerators per server, rounded up")
def whole_servers(accelerators, per_server):
    """Whole servers for a run's accelerators (a hair under a whole number counts whole). [count]"""
    return np.ceil(accelerators / per_server - 1e-9)


@formula("fleet total / fleet accelerators")
def share_per_accelerator(fleet_total, fleet_accelerators):
    """A fleet's total (power, capex) per accelerator. [per accelerator]"""
    return fleet_total / fleet_accelerators


@formula("(fleet capex + site capex x fleet IT power / site IT capacity) x accelerators used / "
         "fleet accelerators")
def run_share_capex_usd(fleet_capex_usd, site_capex_usd, fleet_it_w, site_it_w, accelerators,
                        fleet_accelerators):
    """Capex of the accelerators a run uses, with their share of the site. [USD]"""
    return (fleet_capex_usd + site_capex_usd * fleet_it_w / site_it_w) * (
        accelerators / fleet_accelerators)


@formula("catalog server price + accelerators per server x (accelerator price - catalog "
         "accelerator price)")
def server_price_usd(catalog_server_usd, per_server, catalog_accelerator_usd, accelerator_usd):
    """A server's price when its accelerators are priced apart: the rest of the server (chassis,
    CPUs, memory, NICs) keeps its catalog price, and the accelerators move it. [USD]

    So an accelerator 20% cheaper makes the server, and the fleet's capex, cheaper by the
    accelerators' share, instead of the servers line absorbing the difference.
    """
    return catalog_server_usd + per_server * (accelerator_usd - catalog_accelerator_usd)
