"""Power definitions: chip, server, IT and facility power, each a separate figure.

Published power figures use different boundaries, and mixing them is the usual source of
30-50% disagreements. From the inside out:

* **chip** -- the accelerators' TDP (Meta's Llama papers count energy this way, x PUE);
* **server** -- whole servers at their maximum power (CPUs, memory, NICs, fans): the server
  type's datasheet power, or TDP x a chip-to-server ratio [1] (Epoch AI's energy basis);
* **IT** -- servers plus cluster network and storage (a share of server power [2]);
* **facility** -- IT x PUE (cooling and power distribution).

Average draw is a fraction of any of these (``utilisation``: Epoch AI's 0.75 of server power
during training [1]). Every function takes floats or numpy arrays and broadcasts.

References
----------
.. [1] B. Cottier et al., "The rising costs of training frontier AI models",
   arXiv:2405.21015, 2024, and github.com/epoch-research/training-cost-trends, energy.py:
   chip-to-server power ratio (H100 1.82, A100 2.03, default 1.8), average draw 0.75 of
   server TDP, PUE 1.1 (hyperscalers) to 1.25.
.. [2] SemiAnalysis, "100,000 H100 Clusters", 2024: ~150 MW of critical IT for 100k H100s,
   ~15% above their servers' power.
"""
from __future__ import annotations

from .ledger import formula

#: the definitions, inside out, as shown by ``explain``
DEFINITIONS = {
    "chip": "accelerators x TDP",
    "server": "servers at maximum power (server datasheet, or TDP x chip-to-server ratio)",
    "it": "server power x (1 + network and storage share)",
    "facility": "IT power x PUE",
}


@formula("chip power: accelerators x TDP")
def chip_w(accelerators, tdp_w):
    """Chip power: accelerators x TDP. [W]"""
    return accelerators * tdp_w


@formula("TDP x chip-to-server power ratio")
def server_w_per_accelerator(tdp_w, chip_to_server):
    """Server power per accelerator from its TDP and a chip-to-server ratio [1]. [W]"""
    return tdp_w * chip_to_server


@formula("server power: accelerators x server power per accelerator")
def server_w(accelerators, server_w_per_accelerator_):
    """Server power: accelerators x server power per accelerator. [W]"""
    return accelerators * server_w_per_accelerator_


def it_w(server_w_, network_share):
    """IT power: server power plus network and storage as a share of it [2]. [W]"""
    return server_w_ * (1.0 + network_share)


def facility_w(it_w_, pue):
    """Facility power: IT power x PUE. [W]"""
    return it_w_ * pue


def energy_wh(power_w, utilisation, hours):
    """Energy at an average draw of ``utilisation`` x power over ``hours``. [Wh]"""
    return power_w * utilisation * hours


@formula("server power / accelerators per server (server datasheet)")
def server_w_per_accelerator_of_server(server_power_w, per_server):
    """Server power per accelerator from a server type's datasheet power. [W]"""
    return server_power_w / per_server
