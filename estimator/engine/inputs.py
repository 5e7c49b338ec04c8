"""Inputs: values from the scenario, the catalog or the sourced defaults, recorded with their source.

Each input is recorded once, under one name, and handed out as a :class:`~.ledger.Val`;
asking again for the same name returns the value already recorded.
"""
from __future__ import annotations

from typing import Dict, NamedTuple, Optional

from . import datacenter as dc, fleet as fl
from .ledger import Recorder, Val

DEFAULTS_FILE = "configs/catalog/defaults.yaml"


def source_of(obj, attr: str) -> str:
    """Where a scenario value was written, with the source it cites if any."""
    mark = obj.marks.get(attr) or obj.marks.get("")
    text = str(mark) if mark else "scenario"
    cited = obj.sources.get(attr)
    return f"{text} ({cited})" if cited else text


class Reference(NamedTuple):
    """An accelerator as a plan sizes it: all-in IT power and cluster value per accelerator."""

    key: str
    spec: object          # the catalog entry
    it_w: Val             # IT power per accelerator, with its server and network share [W]
    value_usd: Val        # cluster cost of one accelerator [USD]


class Inputs:
    """Hands out sourced inputs as named values, recording each the first time it is asked for."""

    def __init__(self, rec: Recorder, catalog, scenario):
        self.rec = rec
        self.catalog = catalog
        self.scenario = scenario
        self._seen: Dict[str, Val] = {}
        self._references: Dict[str, Reference] = {}

    def _once(self, name: str, make) -> Val:
        seen = self._seen.get(name)
        if seen is None:
            seen = self._seen[name] = make()
        return seen

    def given(self, name: str, obj, attr: str, unit: str) -> Val:
        """A value the scenario gives (required there)."""
        return self.rec.input(name, getattr(obj, attr), unit, source_of(obj, attr))

    def pick(self, name: str, obj, attr: str, default: str, unit: str) -> Val:
        """The scenario's value if it gives one, else the sourced default ``default``."""
        v = getattr(obj, attr, None) if obj is not None else None
        if v is not None:
            return self.rec.input(name, v, unit, source_of(obj, attr))
        return self.default(name, default, unit)

    def default(self, name: str, key: str, unit: str) -> Val:
        """A sourced default from the catalog's defaults file, recorded as ``name``."""
        seen = self._seen.get(name)
        if seen is not None:
            return seen

        def make():
            value, src = self.catalog.default(key)
            return self.rec.input(name, value, unit, f"default '{key}' ({DEFAULTS_FILE}): {src}")
        return self._once(name, make)

    def common(self, key: str, unit: str, suffix: str = "") -> Val:
        """A default shared by the whole scenario, named ``inputs.defaults.<key><suffix>``."""
        return self.default(f"inputs.defaults.{key}{suffix}", key, unit)

    def catalog_value(self, name: str, entry, kind: str, key: str, attr: str, unit: str) -> Val:
        """A field of a catalog entry (an accelerator or a server type), with its citation."""
        seen = self._seen.get(name)
        if seen is not None:
            return seen

        def make():
            src = f"catalog {kind} '{key}': {entry.source} ({entry.as_of})"
            cited = entry.sources.get(attr)
            if cited:
                src = f"catalog {kind} '{key}' {attr}: {cited}"
            return self.rec.input(name, getattr(entry, attr), unit, src)
        return self._once(name, make)

    # ------------------------------------------------------------------ accelerators

    def peak(self, key: str, precision: str) -> Val:
        """Peak throughput of an accelerator at a precision (checked by the loader)."""
        acc = self.catalog.accelerators[key]
        name = f"inputs.accelerators.{key}.peak_{precision}_flop_per_s"
        return self._once(name, lambda: self.rec.input(
            name, acc.peak[precision], "throughput",
            f"catalog accelerator '{key}': {acc.source} ({acc.as_of})"))

    def rent_price(self, key: str) -> Optional[Val]:
        """The catalog's indicative rental price of an accelerator, if it has one."""
        acc = self.catalog.accelerators[key]
        if acc.rent is None:
            return None
        return self.catalog_value(f"inputs.accelerators.{key}.rent_usd_per_hour", acc,
                                  "accelerator", key, "rent", "gpu_hour_price")

    def reference_key(self) -> str:
        """The accelerator projected generations start from: the scenario's, or the catalog's."""
        trends = self.scenario.trends
        return trends.reference if trends and trends.reference else self.catalog.reference

    def reference(self, key: str) -> Reference:
        """IT power and cluster value of one accelerator, from its server type or its chip."""
        if key not in self._references:
            self._references[key] = self._reference(key)
        return self._references[key]

    def _reference(self, key: str) -> Reference:
        cat, rec = self.catalog, self.rec
        acc = cat.accelerators[key]
        p = f"inputs.accelerators.{key}"
        power_share = self.common("network_power_share", "fraction")
        network_share = self.common("network_share", "fraction")
        storage = self.common("storage_per_accelerator", "money", "_usd")
        holders = [(k, s) for k, s in cat.servers.items() if s.accelerator == key]
        if holders:
            sid, server = holders[0]
            price = self.catalog_value(f"{p}.server_price_usd", server, "server", sid, "price",
                                       "money")
            power = self.catalog_value(f"{p}.server_power_w", server, "server", sid, "power",
                                       "power")
            per = self.per_server(key)
            it_w = rec.derive(f"{p}.it_w", fl.it_w_per_accelerator, power, per, power_share,
                              unit="power")
            value = rec.derive(f"{p}.value_usd", fl.cluster_value_from_server_usd, price, per,
                               network_share, storage, unit="money")
        else:
            tdp = self.catalog_value(f"{p}.tdp_w", acc, "accelerator", key, "tdp", "power")
            ratio = self.chip_to_server(key)
            price = self.catalog_value(f"{p}.price_usd", acc, "accelerator", key, "price", "money")
            factor = self.common("server_factor", "amount")
            it_w = rec.derive(f"{p}.it_w", fl.it_w_from_chip, tdp, ratio, power_share,
                              unit="power")
            value = rec.derive(f"{p}.value_usd", fl.cluster_value_from_chip_usd, price, factor,
                               network_share, storage, unit="money")
        return Reference(key, acc, it_w, value)

    def chip_to_server(self, key: str) -> Val:
        """An accelerator's own sourced chip-to-server power ratio, else the default (Epoch AI)."""
        acc = self.catalog.accelerators[key]
        if acc.chip_to_server is not None:
            return self.catalog_value(f"inputs.accelerators.{key}.chip_to_server", acc,
                                      "accelerator", key, "chip_to_server", "amount")
        return self.common("chip_to_server_power", "amount")

    def per_server(self, key: str) -> Optional[Val]:
        """Accelerators per server of the first server type holding the accelerator."""
        holders = [(k, s) for k, s in self.catalog.servers.items() if s.accelerator == key]
        if not holders:
            return None
        sid, server = holders[0]
        return self.catalog_value(f"inputs.accelerators.{key}.per_server", server, "server", sid,
                                  "accelerators", "count")

    def buildings_usd_per_w(self) -> Val:
        """Construction + land + grid connection (sized by PUE) per watt of IT, from the defaults."""
        name = "inputs.defaults.buildings_usd_per_w"
        if name not in self._seen:
            self._seen[name] = self.rec.derive(
                name, dc.buildings_usd_per_w, self.common("construction", "usd_per_w", "_usd_per_w"),
                self.common("land", "usd_per_w", "_usd_per_w"),
                self.common("grid_connection", "usd_per_w", "_usd_per_w"),
                self.common("pue", "amount"), unit="usd_per_w")
        return self._seen[name]
