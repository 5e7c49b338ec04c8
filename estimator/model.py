"""The typed, frozen scenario model.

Each field carries its :class:`~estimator.spec.Spec`; the loader validates YAML into
these objects and writes the JSON Schema from the same specs. A field left out of a
scenario is ``None`` here and takes its value from ``configs/catalog/defaults.yaml``
in the engine, which records which default (and its source) was used.

Units inside the model are the base units of :mod:`estimator.units`: USD, W, Wh,
FLOP, FLOP/s, hours, USD/kWh, USD/W, fractions.
"""
from __future__ import annotations

import re
from types import MappingProxyType
from typing import Mapping, Optional, Tuple

from .errors import Mark
from .units import HOURS_PER_MONTH
from .record import Field, Record
from .spec import (choice, flag, item_model, item_qty, listing, mapping, model, month,
                   names, qty, text, Modes, Spec)

_EMPTY = MappingProxyType({})


class Month:
    """A calendar month. ``index`` counts months since year 0 so differences are month counts."""

    __slots__ = ("year", "month")
    PATTERN = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")

    def __init__(self, year: int, month: int):
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "month", month)

    def __setattr__(self, name, value):
        raise AttributeError("Month is frozen")

    @classmethod
    def parse(cls, text: str) -> "Month":
        m = cls.PATTERN.match(str(text).strip())
        if not m:
            raise ValueError("not a month written YYYY-MM")
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(f"there is no month {mo} (months run 01 to 12)")
        if not 1900 <= y <= 2200:
            raise ValueError(f"year {y} is outside 1900-2200")
        return cls(y, mo)

    @classmethod
    def from_index(cls, index: int) -> "Month":
        return cls(index // 12, index % 12 + 1)

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def plus(self, months: int) -> "Month":
        return Month.from_index(self.index + int(months))

    def __eq__(self, other):
        return isinstance(other, Month) and self.index == other.index

    def __lt__(self, other):
        return self.index < other.index

    def __le__(self, other):
        return self.index <= other.index

    def __gt__(self, other):
        return self.index > other.index

    def __ge__(self, other):
        return self.index >= other.index

    def __hash__(self):
        return hash(self.index)

    def __repr__(self) -> str:
        return f"Month({self})"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


#: months between a loan's payments
PAYMENT_MONTHS = {"monthly": 1, "quarterly": 3, "annual": 12}


def months_of(duration_hours: float) -> int:
    """A duration in hours as whole months (rounded)."""
    return int(round(float(duration_hours) / HOURS_PER_MONTH))


class Raw:
    """A YAML value kept as plain data, with where it was written (expectations)."""

    __slots__ = ("value", "mark")

    def __init__(self, value, mark: Mark):
        self.value = value
        self.mark = mark

    def __eq__(self, other):
        return isinstance(other, Raw) and self.value == other.value

    def __repr__(self) -> str:
        return f"Raw({self.value!r})"


class Model(Record):
    """Base of every model object: where each field was written, and any cited source."""

    marks: Mapping[str, Mark] = Field(_EMPTY, compare=False, show=False)
    sources: Mapping[str, str] = Field(_EMPTY, compare=False, show=False)
    #: how the object is used (see :class:`~estimator.spec.Modes`); None: one way only
    MODES: Optional[Modes] = None


# --------------------------------------------------------------------------- hardware

PRECISIONS = ("fp32", "tf32", "bf16", "fp16", "fp8", "fp4")


class Accelerator(Model):
    """One accelerator: datasheet specs, prices and dated rental prices (catalog or inline)."""

    name: str = text("marketing name", required=True)
    vendor: str = text("maker", required=True)
    year: int = qty("count", "year of volume availability", required=True, min=2000, max=2100)
    released: Optional[Month] = month("month of first volume availability (acquisition = this + "
                                      "the default acquisition lag)")
    peak: Mapping[str, float] = mapping(item_qty("throughput", gt=0), "dense peak by precision")
    memory: float = qty("bytes", "HBM capacity", required=True, gt=0)
    bandwidth: float = qty("bandwidth", "HBM bandwidth", required=True, gt=0)
    tdp: float = qty("power", "thermal design power", required=True, gt=0)
    price: Optional[float] = qty("money", "indicative price of one accelerator", min=0)
    rent: Optional[float] = qty("gpu_hour_price", "on-demand rental price", min=0)
    rent_1y: Optional[float] = qty("gpu_hour_price", "one-year committed rental price", min=0)
    rent_3y: Optional[float] = qty("gpu_hour_price", "three-year committed rental price", min=0)
    chip_to_server: Optional[float] = qty("amount", "server power per accelerator / TDP, for an "
                                          "accelerator without a server type", min=1, max=10)
    source: str = text("where the specs come from", required=True)
    as_of: str = text("date of the source", required=True)


class Server(Model):
    """One server type (or rack-scale system): what it holds, costs and draws."""

    name: str = text("marketing name", required=True)
    accelerator: str = text("accelerator it holds", required=True, ref="accelerator")
    accelerators: int = qty("count", "accelerators per server", required=True, min=1)
    price: float = qty("money", "price of the whole server including accelerators", required=True,
                       min=0)
    power: float = qty("power", "maximum power of the whole server", required=True, gt=0)
    per_rack: int = qty("count", "servers per rack", required=True, min=1)
    source: str = text("where the specs come from", required=True)
    as_of: str = text("date of the source", required=True)


# --------------------------------------------------------------------------- datacenters

class Schedule(Model):
    start: Month = month("first month", required=True, uncertain=True)
    months: int = qty("count", "months over which it spreads", default=1, min=1, max=240,
                      schedule=1)


class Staff(Model):
    headcount: Optional[int] = qty("count", "people on site", min=0)
    per_mw: Optional[float] = qty("amount", "people per MW of IT capacity (instead of headcount)",
                                  min=0)
    cost_per_head: Optional[float] = qty("usd_per_year", "loaded cost per person", min=0)


_BUILD, _LEASE = ("build",), ("lease",)


class Datacenter(Model):
    MODES = Modes(lambda v: v.get("mode", "build"),
                  where={"build": "on a site with mode 'build' (the default)",
                         "lease": "on a site with mode 'lease'"},
                  switch={"build": "remove 'mode: lease'", "lease": "set 'mode: lease'"},
                  inner={"build": {"months": _BUILD}}, harmless=("build.months",))

    it_capacity: Optional[float] = qty("power", "critical IT load the site can carry (a leased "
                                       "site: default what its fleets need)", gt=0,
                                       required_in=_BUILD)
    mode: str = choice(("build", "lease"), "build it (capex) or lease colocation space (opex)",
                       default="build")
    pue: Optional[float] = qty("amount", "power usage effectiveness: facility / IT power",
                               min=1, max=3)
    construction: Optional[float] = qty("usd_per_w", "shell + power + cooling per MW of IT", min=0,
                                        modes=_BUILD)
    land: Optional[float] = qty("money", "land purchase", min=0, modes=_BUILD)
    power_source: str = choice(("grid", "onsite"), "grid connection or on-site generation",
                               default="grid", modes=_BUILD)
    grid_connection: Optional[float] = qty("usd_per_w", "grid interconnection per MW of facility "
                                           "power", min=0, modes=_BUILD)
    onsite_generation: Optional[float] = qty("usd_per_w", "on-site generation per MW of facility "
                                             "power", min=0, modes=_BUILD)
    colocation: Optional[float] = qty("usd_per_w_month", "colocation lease per kW of IT per month",
                                      min=0, modes=_LEASE)
    electricity: Optional[float] = qty("energy_price", "price of electricity", min=0)
    utilisation: Optional[float] = qty("fraction", "average IT power draw as a share of peak",
                                       min=0, max=1)
    maintenance: Optional[float] = qty("fraction", "yearly maintenance as a share of facility "
                                       "capex", min=0, max=1, modes=_BUILD)
    insurance: Optional[float] = qty("fraction", "yearly insurance as a share of capex", min=0,
                                     max=1)
    property_tax: Optional[float] = qty("fraction", "yearly property tax as a share of capex",
                                        min=0, max=1)
    wue: Optional[float] = qty("water_per_energy", "water usage effectiveness: litres of site "
                               "water per kWh of IT energy (The Green Grid)", min=0, max=20)
    water_price: Optional[float] = qty("water_price", "price of water", min=0)
    staff: Optional[Staff] = model(Staff, "operations staff")
    build: Optional[Schedule] = model(Schedule, "construction schedule (default: the horizon's "
                                      "start, over the default build time); a lease starts at "
                                      "its start")
    building_size: Optional[float] = qty("power", "IT capacity of one building", gt=0,
                                         modes=_BUILD)


# --------------------------------------------------------------------------- fleets

class Rent(Model):
    price: float = qty("gpu_hour_price", "on-demand price per accelerator-hour", required=True,
                       min=0)
    discount: float = qty("fraction", "committed-use discount off that price", default=0.0, min=0,
                          max=1)


_OWNED, _RENTED = ("owned",), ("rented",)


class Fleet(Model):
    MODES = Modes(lambda v: "owned" if v.get("rent") is None and v.get("acquire") in (None, "owned")
                  else "rented",
                  where={"owned": "on an owned fleet (no 'rent:', acquired 'owned')",
                         "rented": "on a fleet that is not owned ('rent:', or acquired 'rented' "
                                   "or on a contract)"},
                  switch={"owned": "remove 'rent:' (and any 'acquire:' but 'owned')",
                          "rented": "add 'rent: {price: ...}' or 'acquire: rented'"})

    server: Optional[str] = text("server type from the catalog (owned capacity)", ref="server")
    accelerator: Optional[str] = text("accelerator from the catalog (rented capacity)",
                                      ref="accelerator", modes=_RENTED)
    accelerators: Optional[int] = qty("count", "number of accelerators", min=0)
    servers: Optional[int] = qty("count", "number of servers (instead of accelerators)", min=0)
    racks: Optional[int] = qty("count", "number of racks (instead of accelerators)", min=0)
    site: Optional[str] = text("datacenter that hosts it", ref="datacenter", modes=_OWNED)
    delivery: Optional[Schedule] = model(Schedule, "delivery schedule (default: the site's "
                                         "completion, in one month)")
    rent: Optional[Rent] = model(Rent, "rented instead of owned")
    acquire: Optional[str] = text("how it is acquired: 'owned' (capex), 'rented' (on demand), or "
                                  "the name of a contract it runs on", ref="contract")
    accelerator_price: Optional[float] = qty("money", "price of one accelerator (overrides the "
                                             "catalog; the rest of the server keeps its price)",
                                             min=0, modes=_OWNED)
    server_price: Optional[float] = qty("money", "price of one whole server incl. accelerators "
                                        "(overrides the catalog)", min=0, modes=_OWNED)
    network_share: Optional[float] = qty("fraction", "cluster network as a share of cluster cost",
                                         min=0, max=0.9, modes=_OWNED)
    storage_per_accelerator: Optional[float] = qty("money", "storage capex per accelerator", min=0,
                                                   modes=_OWNED)
    utilisation: Optional[float] = qty("fraction", "average power draw as a share of peak "
                                       "(overrides the site)", min=0, max=1, modes=_OWNED)
    cost_of_capital: Optional[float] = qty("fraction", "owner's cost of capital a year, for the "
                                           "cost per accelerator-hour", min=0, max=1,
                                           modes=_OWNED)
    sold_utilisation: Optional[float] = qty("fraction", "share of the fleet's hours sold or "
                                            "used, for the cost per accelerator-hour", gt=0, max=1,
                                            modes=_OWNED)


# --------------------------------------------------------------------------- training

RENT_TIERS = ("on_demand", "1y", "3y")


class RunRent(Model):
    accelerator: str = text("accelerator from the catalog", required=True, ref="accelerator")
    price: Optional[float] = qty("gpu_hour_price", "price per accelerator-hour (default: the "
                                 "catalog's price in 'tier')", min=0)
    tier: str = choice(RENT_TIERS, "which catalog price when 'price' is left out: on-demand, or "
                       "committed for 1 or 3 years", default="on_demand")
    discount: float = qty("fraction", "committed-use discount", default=0.0, min=0, max=1)
    accelerators: Optional[int] = qty("count", "accelerators rented (default: sized to max_days)",
                                      min=1)


class Run(Model):
    MODES = Modes(lambda v: "fleet" if v.get("on") is not None else
                  "rented" if v.get("rent") is not None else "sized",
                  where={"fleet": "on a run 'on' a fleet", "rented": "on a run that rents",
                         "sized": "on a run sized by the tool (no 'on:' or 'rent:')"},
                  switch={"fleet": "set 'on: FLEET'", "rented": "add 'rent:'",
                          "sized": "remove 'on:' and 'rent:'"})

    name: str = text("name of the run", required=True)
    compute: Optional[float] = qty("compute", "training compute of the final run", gt=0)
    params: Optional[float] = qty("amount", "parameters (dense), for C = 6 N D", gt=0)
    active_params: Optional[float] = qty("amount", "active parameters per token (MoE)", gt=0)
    tokens: Optional[float] = qty("amount", "training tokens", gt=0)
    precision: str = choice(("fp32", "tf32", "bf16", "fp16", "fp8", "fp4"), "number format",
                            default="bf16")
    mfu: Optional[float] = qty("fraction", "model FLOP utilisation", gt=0, max=1)
    mfu_includes_goodput: Optional[bool] = flag("the MFU given is over wall-clock time, so it "
                                                "already counts time lost to failures (goodput "
                                                "is not applied again)")
    goodput: Optional[float] = qty("fraction", "share of wall-clock time spent making progress",
                                   gt=0, max=1)
    gpu_hours: Optional[float] = qty("gpu_hours", "accelerator-hours the final run took, as "
                                     "published (instead of mfu: the tool reports the implied "
                                     "MFU)", gt=0)
    length: Optional[float] = qty("duration", "wall-clock length of the final run on its "
                                  "accelerators (instead of mfu)", gt=0, bare="days")
    experiments: float = qty("amount", "total compute incl. experiments / final run compute",
                             default=1.0, min=1, max=10)
    start: Optional[Month] = month("month the run starts", uncertain=True)
    max_days: Optional[float] = qty("amount", "longest acceptable run, in days", gt=0,
                                    schedule=1)
    on: Optional[str] = text("fleet it runs on", ref="fleet")
    accelerators: Optional[int] = qty("count", "accelerators of the fleet it uses (default: all)",
                                      min=1, modes=("fleet",))
    accelerator: Optional[str] = text("accelerator to size the run in (default: the generation "
                                      "of its year)", ref="accelerator", modes=("sized",))
    rent: Optional[RunRent] = model(RunRent, "rented capacity")
    acquire: Optional[str] = text("how it is acquired: 'owned' (capex), 'rented' (on demand), or "
                                  "the name of a contract it runs on", ref="contract")
    acquired: Optional[Month] = month("month the rented hardware was acquired by its owner "
                                      "(default: the accelerator's release + the acquisition "
                                      "lag); amortization values it from then")
    site: Optional[str] = text("site profile for a rented or planned run's power: "
                               "hyperscaler, colocation, ai-campus (catalog sites.yaml)",
                               ref="site profile")
    pue: Optional[float] = qty("amount", "PUE of the capacity a rented or planned run uses",
                               min=1, max=3)
    utilisation: Optional[float] = qty("fraction", "average power draw as a share of peak",
                                       min=0, max=1)
    electricity: Optional[float] = qty("energy_price", "price of electricity", min=0)
    staff: Optional[float] = qty("money", "staff cost attributed to the run", min=0)


# --------------------------------------------------------------------------- funding

class Raise(Model):
    name: str = text("name of the tranche", required=True)
    amount: float = qty("money", "amount raised", required=True, min=0)
    date: Month = month("month the money arrives", required=True, uncertain=True)
    if_: Optional[str] = text("flag that must be true for 'amount' to arrive", ref="flag")
    else_: Optional[float] = qty("money", "amount that arrives instead when the flag is false",
                                 min=0)


class Equity(Model):
    """Equity committed by a party; a party that is one of the entities pays it out of its cash."""

    party: str = text("who commits it: an investor, or one of the entities", required=True)
    amount: float = qty("money", "amount committed", required=True, min=0)
    date: Month = month("month the money arrives", required=True)
    name: Optional[str] = text("name of the tranche (default: party and month)")
    if_: Optional[str] = text("flag that must be true for 'amount' to arrive", ref="flag")
    else_: Optional[float] = qty("money", "amount that arrives instead when the flag is false",
                                 min=0)


class Debt(Model):
    name: str = text("name of the loan", required=True)
    principal: Optional[float] = qty("money", "amount borrowed, drawn on 'date' (or give "
                                     "'draws')", min=0)
    rate: float = qty("fraction", "yearly interest rate (nominal; monthly interest is rate / 12)",
                      default=0.0, gt=-1, max=1)
    term: float = qty("duration", "from the first draw until repaid in full", default=5 * 8766.0,
                      gt=0, max=100 * 8766.0, bare="years", fixed=True)
    date: Optional[Month] = month("month the money arrives (with 'principal')")
    draws: Optional[Mapping[str, float]] = mapping(
        item_qty("money", min=0), "draw schedule instead of principal and date: "
        "{2026-01: $2B, 2026-07: $5B}")
    repayment: str = choice(("bullet", "amortising"), "bullet: interest only, principal at the "
                            "end; amortising: level payments after the grace period",
                            default="bullet")
    grace: float = qty("duration", "interest-only time from the first draw before amortising",
                       default=0.0, min=0, bare="years", fixed=True)
    payments: str = choice(tuple(PAYMENT_MONTHS), "how often interest and "
                           "principal are paid", default="monthly")
    lender: Optional[str] = text("who lends: a bank, a vendor (vendor financing), or one of the "
                                 "entities")


class Inference(Model):
    """Serving users: users x tokens per user per day x FLOP per token -> accelerators -> cost."""

    MODES = Modes(lambda v: "users" if v.get("users") else "no_users",
                  where={"users": "with 'users:' by year",
                         "no_users": "without 'users:' by year (nothing to grow)"},
                  switch={"users": "add 'users: {2025: ...}'", "no_users": "remove 'users:'"})

    users: Mapping[str, float] = mapping(item_qty("amount", min=0),
                                         "users by year: {2025: 500M, 2026: 800M}")
    users_growth: float = qty("fraction", "yearly user growth after the last year given",
                              default=0.0, min=-1, max=10, modes=("users",))
    tokens_per_user_per_day: float = qty("amount", "tokens generated and read per user per day",
                                         required=True, min=0)
    active_params: float = qty("amount", "active parameters of the served model (2 FLOP per "
                               "parameter per token)", required=True, gt=0)
    accelerator: str = text("accelerator it is served on", required=True, ref="accelerator")
    precision: str = choice(("bf16", "fp16", "fp8", "fp4"), "number format", default="fp8")
    utilisation: Optional[float] = qty("fraction", "share of peak FLOP/s achieved in serving",
                                       gt=0, max=1)
    price: Optional[float] = qty("gpu_hour_price", "price per accelerator-hour (default: the "
                                 "catalog's rental price)", min=0)
    acquire: Optional[str] = text("how it is acquired: 'owned' (capex), 'rented' (on demand), or "
                                  "the name of a contract it runs on", ref="contract")


class Operations(Model):
    """Spending that fleets and runs do not model: payroll, serving, everything else."""

    MODES = Modes(lambda v: "years" if v.get("payroll") or v.get("other") else "no_years",
                  where={"years": "with 'payroll:' or 'other:' by year",
                         "no_years": "without 'payroll:' or 'other:' by year (nothing to grow)"},
                  switch={"years": "add 'payroll: {2025: ...}' or 'other:'",
                          "no_years": "remove them"})

    payroll: Optional[Mapping[str, float]] = mapping(item_qty("money", min=0),
                                                     "R&D and staff payroll by year")
    other: Optional[Mapping[str, float]] = mapping(item_qty("money", min=0),
                                                   "other operating costs by year")
    growth: float = qty("fraction", "yearly growth of payroll and other costs after the last "
                        "year given", default=0.0, min=-1, max=10, modes=("years",))
    inference: Optional[Inference] = model(Inference, "serving users")


class Buffer(Model):
    """Minimum cash to keep: an amount, or months of operating cost."""

    amount: Optional[float] = qty("money", "cash always kept in hand", min=0)
    months: Optional[float] = qty("duration", "months of that month's operating cost kept in hand",
                                  min=0, max=120 * 730.5, bare="months")


class Verdict(Model):
    """How the funding verdict is judged."""

    window: str = choice(("last_run", "horizon", "commitments"), "months judged: through the "
                         "plan's last run, the horizon, or the end of every contract and loan",
                         default="last_run")
    buffer: Optional[Buffer] = model(Buffer, "minimum cash to keep (default: none)")
    discount_rate: Optional[float] = qty("fraction", "yearly discount rate for NPV (effective; "
                                         "default: the catalog's)", gt=-1, max=1)


class Funding(Model):
    MODES = Modes(lambda v: "revenue" if v.get("revenue") else "no_revenue",
                  where={"revenue": "with 'revenue:' by year",
                         "no_revenue": "without 'revenue:' by year (nothing to grow)"},
                  switch={"revenue": "add 'revenue: {2025: ...}'", "no_revenue": "remove it"})

    entity: Optional[str] = text("name of the entity this money belongs to (top-level funding "
                                 "only; default 'main')")
    cash: float = qty("money", "cash at the horizon's start", default=0.0, min=0)
    raises: Tuple[Raise, ...] = listing(item_model(Raise), "equity raises, in tranches")
    equity: Tuple[Equity, ...] = listing(item_model(Equity), "equity commitments by party")
    flags: Optional[Mapping[str, bool]] = mapping(Spec("bool"), "named conditions: true or false")
    debt: Tuple[Debt, ...] = listing(item_model(Debt), "loans")
    revenue: Optional[Mapping[str, float]] = mapping(item_qty("money", min=0),
                                                     "revenue by year: {2025: $12B, ...}")
    revenue_growth: float = qty("fraction", "yearly revenue growth after the last year given",
                                default=0.0, min=-1, max=10, modes=("revenue",))
    lease_income: Optional[Mapping[str, float]] = mapping(
        item_qty("money", min=0), "income from leasing capacity out, by year: {2027: $10B} "
        "(years between interpolated; later years as the last)")
    verdict: Optional[Verdict] = model(Verdict, "window, cash buffer and discount rate of the "
                                       "verdict")
    operations: Optional[Operations] = model(Operations, "spending not modelled by fleets and "
                                             "runs")


# --------------------------------------------------------------------------- contracts

class Capacity(Model):
    """Contracted capacity x its price: accelerators x $/GPU-hour, or power x $/kW-month."""

    accelerators: Optional[int] = qty("count", "accelerators contracted", min=0)
    accelerator: Optional[str] = text("accelerator contracted", ref="accelerator")
    price: Optional[float] = qty("gpu_hour_price", "price per accelerator-hour", min=0)
    power: Optional[float] = qty("power", "power contracted (IT load)", min=0)
    power_price: Optional[float] = qty("usd_per_w_month", "price per kW-month", min=0)


class Prepayment(Model):
    amount: float = qty("money", "paid up front, credited against the payments that follow",
                        required=True, min=0)
    date: Optional[Month] = month("month it is paid (default: the contract's start)")


class Contract(Model):
    """Contracted compute: a lease, a cloud contract or a take-or-pay commitment."""

    name: str = text("name of the contract", required=True)
    counterparty: Optional[str] = text("the other party, as the report names it ('Oracle')")
    payer: Optional[str] = text("entity that pays (default: the scenario's own)", ref="entity")
    payee: Optional[str] = text("entity paid, when the counterparty is one of the entities",
                                ref="entity")
    start: Month = month("first month of the contract", required=True)
    term: Optional[float] = qty("duration", "length of the contract (or give 'end')", gt=0,
                                max=100 * 8766.0, bare="years", fixed=True)
    end: Optional[Month] = month("last month of the contract (instead of 'term')")
    amount: Optional[float] = qty("money", "total paid over the term", min=0)
    ramp: float = qty("fraction", "yearly growth of the payments when 'amount' is given (0: flat)",
                      default=0.0, min=-0.9, max=10)
    schedule: Optional[Mapping[str, float]] = mapping(
        item_qty("money", min=0), "payments by calendar year instead: {2027: $30B, 2028: $60B}")
    capacity: Optional[Capacity] = model(Capacity, "capacity x price instead")
    escalator: float = qty("fraction", "yearly price escalation from the start", default=0.0,
                           min=-0.5, max=1)
    minimum_take: float = qty("fraction", "share of the commitment paid whether used or not "
                              "(take-or-pay)", default=1.0, min=0, max=1)
    usage: Optional[Mapping[str, float]] = mapping(
        item_qty("fraction", min=0, max=1), "share of the capacity used, by year (years between "
        "interpolated; default: what runs and fleets on it use, or all of it)")
    prepayment: Optional[Prepayment] = model(Prepayment, "paid up front")

    @property
    def last_month(self) -> Optional[Month]:
        """Its 'end', or its start plus its term less one month (None when neither is given)."""
        if self.end is not None:
            return self.end
        if self.term is not None:
            return self.start.plus(max(months_of(self.term), 1) - 1)
        return None


class Entity(Model):
    """A linked company with its own cash (a joint venture, a partner, a lessor)."""

    description: Optional[str] = text("what it is")
    funding: Funding = model(Funding, "its money: cash, equity, debt, revenue, lease income",
                             required=True)


# --------------------------------------------------------------------------- scenario

class Horizon(Model):
    start: Month = month("first month modelled", required=True)
    end: Month = month("last month modelled", required=True)

    @property
    def months(self) -> int:
        return self.end.index - self.start.index + 1


_LINE = ("straight_line",)


class Depreciation(Model):
    MODES = Modes(lambda v: v.get("method", "straight_line"),
                  where={"straight_line": "with method 'straight_line' (the default)",
                         "exponential": "with method 'exponential'"},
                  switch={"straight_line": "remove 'method: exponential'",
                          "exponential": "set 'method: exponential'"})

    method: str = choice(("straight_line", "exponential"), "straight-line by asset class, or "
                         "Epoch AI's exponential value decay", default="straight_line")
    accelerators: Optional[float] = qty("duration", "useful life of accelerators and servers",
                                        gt=0, bare="years", schedule=HOURS_PER_MONTH,
                                        modes=_LINE)
    network: Optional[float] = qty("duration", "useful life of network and storage", gt=0,
                                   bare="years", schedule=HOURS_PER_MONTH, modes=_LINE)
    buildings: Optional[float] = qty("duration", "useful life of buildings", gt=0, bare="years",
                                     schedule=HOURS_PER_MONTH, modes=_LINE)
    power_plant: Optional[float] = qty("duration", "useful life of power equipment", gt=0,
                                       bare="years", schedule=HOURS_PER_MONTH, modes=_LINE)
    decay: Optional[float] = qty("amount", "value decay in orders of magnitude per year "
                                 "(exponential method)", gt=0, max=2, modes=("exponential",))


class Trends(Model):
    """Hardware trends used to size runs in 'the generation of their year'."""

    reference: Optional[str] = text("accelerator the projection starts from (default: the newest "
                                    "in the catalog with a server type)", ref="accelerator")
    price_performance_doubling: Optional[float] = qty(
        "duration", "FLOP/s per dollar doubles every", gt=0, bare="years")
    energy_efficiency_doubling: Optional[float] = qty(
        "duration", "FLOP/s per watt doubles every", gt=0, bare="years")


class PlanChoices(Model):
    """How runs sized by the tool (neither 'on' a fleet nor rented) share capacity and time."""

    max_days: Optional[float] = qty("amount", "longest run in days, for planned runs that give "
                                    "no max_days (default: sourced)", gt=0, fixed=True)
    reuse: Optional[float] = qty("fraction", "share of earlier runs' capacity, still in its "
                                 "useful life, that a run takes over (default: sourced)",
                                 min=0, max=1, fixed=True)
    experiments: str = choice(("gpu_hours", "cluster"), "experiments are accelerator-hours on "
                              "the run's capacity outside the final run (gpu_hours), or enlarge "
                              "the final run's cluster (cluster)", default="gpu_hours")


class Money(Model):
    base_year: int = qty("count", "state training costs also in this year's dollars (CPI, "
                         "catalog cpi.yaml)", required=True, min=1900, max=2200, fixed=True)


class Scenario(Model):
    scenario: str = text("title of the scenario", required=True)
    description: Optional[str] = text("what it models and why")
    extends: Tuple[str, ...] = names("files merged underneath this one (paths relative to it)")
    horizon: Horizon = model(Horizon, "months modelled", required=True)
    depreciation: Optional[Depreciation] = model(Depreciation, "asset lives and method")
    datacenters: Optional[Mapping[str, Datacenter]] = mapping(item_model(Datacenter),
                                                              "sites by name")
    fleets: Optional[Mapping[str, Fleet]] = mapping(item_model(Fleet), "fleets by name")
    training: Tuple[Run, ...] = listing(item_model(Run), "training runs: the plan")
    plan: Optional[PlanChoices] = model(PlanChoices, "choices for runs sized by the tool")
    money: Optional[Money] = model(Money, "constant dollars")
    accelerators: Optional[Mapping[str, Accelerator]] = mapping(
        item_model(Accelerator), "accelerators added to or replacing the catalog's (each with "
        "source: and as_of:)")
    servers: Optional[Mapping[str, Server]] = mapping(
        item_model(Server), "server types added to or replacing the catalog's (each with "
        "source: and as_of:)")
    trends: Optional[Trends] = model(Trends, "hardware trends for runs sized in the generation "
                                     "of their year")
    funding: Optional[Funding] = model(Funding, "money in")
    contracts: Tuple[Contract, ...] = listing(item_model(Contract), "contracted compute: leases, "
                                              "cloud contracts, take-or-pay commitments")
    entities: Optional[Mapping[str, Entity]] = mapping(item_model(Entity), "linked entities by "
                                                       "name, each with its own funding")
    expect: Optional[Mapping[str, Raw]] = mapping(
        Spec("raw"), "expectations checked by 'estimator check': figure name -> a value, or "
        "{min:, max:, between: [a, b], approx:, rel:, abs:, equals:}")
    uncertainty: Optional[Mapping[str, Raw]] = mapping(
        Spec("raw"), "distributions attached to paths without editing the base values: "
        "{'training[*].mfu': {low: 30%, high: 50%}, 'funding.revenue.2027': {p10: $40B, p90: $90B}}")
    tolerances: Optional[Mapping[str, float]] = mapping(
        item_qty("fraction", min=0), "per-figure tolerances for 'estimator check --baseline'")

    @property
    def main_entity(self) -> str:
        """The name of the scenario's own entity (its top-level funding)."""
        return self.funding.entity if self.funding is not None and self.funding.entity else \
            MAIN_ENTITY

    #: set by the loader: the files this scenario was read from, top file first
    files: Tuple[str, ...] = Field((), compare=False, show=False)
    #: set by the loader: whether any value is a distribution
    uncertain: bool = Field(False, compare=False, show=False)
    #: set by the loader: catalog values made uncertain by 'uncertainty: {catalog.PATH: ...}',
    #: by path ('servers.hgx-h100.price', 'defaults.construction'); the engine applies them
    catalog: Mapping[str, object] = Field(_EMPTY, compare=False, show=False)
    #: set by the loader: harmless things to tell the reader (a key written where it is ignored)
    notes: Tuple[str, ...] = Field((), compare=False, show=False)


def run_key(name: str) -> str:
    """The name a run's figures go under: ``llama-3.1-405b`` -> ``training.llama-3-1-405b.*``."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "run"


#: the name of the scenario's own entity when 'funding.entity' does not name it
MAIN_ENTITY = "main"

#: YAML keys that are Python keywords are stored with a trailing underscore
YAML_KEY = {"if_": "if", "else_": "else"}
