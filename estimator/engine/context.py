"""What every part of the rollup shares: the scenario, the catalog, the recorder, the timeline."""
from __future__ import annotations

from typing import Dict

from ..model import Month
from ..result import Ledger
from .inputs import Inputs
from .ledger import Recorder


class Context:
    """The scenario being estimated, with its recorder, sourced inputs and the horizon's months.

    ``sites`` and ``fleets`` hold the typed state the rollup builds (:class:`.sites.Site`,
    :class:`.fleets.Fleet`), by name, for the parts that come after them.
    """

    def __init__(self, scenario, catalog, ledger: Ledger, months: int, start: int,
                 detail: bool = True):
        self.scenario = scenario
        self.catalog = catalog
        self.rec = Recorder(ledger)
        self.inputs = Inputs(self.rec, catalog, scenario)
        self.months = months        # months in the horizon
        self.start = start          # month index of the horizon's first month
        self.detail = detail        # False: skip figures that only describe (Monte Carlo)
        self.sites: Dict[str, object] = {}
        self.fleets: Dict[str, object] = {}
        self.runs: list = []        # typed records of the training runs, in start order
        self.monthly: Dict[str, object] = {}   # series one part hands to the next (funding)

    def offset(self, month: Month) -> int:
        """Month offset from the horizon's start."""
        return month.index - self.start

    def month_name(self, offset: int) -> str:
        """The calendar month (YYYY-MM) at an offset from the horizon's start."""
        return str(Month.from_index(self.start + offset))
