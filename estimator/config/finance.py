"""Checks that span the money keys: contracts, acquisition, loans, equity, entities, verdict.

Each problem is located at the key that causes it (``file:line:col``); the loader
raises them all at once with the scenario's other problems.
"""
from __future__ import annotations

from typing import Dict, List, Tuple

from ..errors import did_you_mean
from ..model import PAYMENT_MONTHS, Month, Scenario, months_of, run_key
from .refs import check_name, check_ref, check_years

ACQUIRE = ("owned", "rented")


def _given(obj, attr: str) -> bool:
    return attr in obj.marks


def _positive(x) -> bool:
    """Money that is there: a positive number, or any distribution (it is money given)."""
    try:
        return float(x) > 0
    except (TypeError, ValueError):
        return x is not None


def check_finance(s: Scenario, catalog, out) -> None:
    entities = dict(s.entities or {})
    me = s.main_entity
    known_entities = [me] + list(entities)
    contracts = _check_contracts(s, catalog, out, known_entities)
    _check_acquire(s, out, contracts)
    blocks: List[Tuple[str, object, tuple]] = []
    if s.funding is not None:
        blocks.append((me, s.funding, ("funding",)))
    for name, e in entities.items():
        path = ("entities", name)
        check_name(out, name, s.marks.get("entities"), path)
        if name == me:
            out.add(f"entity '{name}' has the name of the scenario's own entity",
                    e.marks[""], path, hint="rename it, or set funding.entity")
        if e.funding.entity is not None:
            out.add("'entity' names the scenario's own funding; an entity is named by its key",
                    e.funding.marks.get("entity"), path + ("funding", "entity"))
        blocks.append((name, e.funding, path + ("funding",)))
    for owner, fnd, where in blocks:
        _check_debt(fnd, where, out)
        _check_verdict(fnd, where, out)
        _check_tranche_names(fnd, where, out)
        for i, q in enumerate(fnd.equity):
            if q.party == owner:
                out.add(f"'{owner}' commits equity to itself", q.marks.get("party"),
                        where + ("equity", i, "party"))
        for i, d in enumerate(fnd.debt):
            if d.lender == owner:
                out.add(f"'{owner}' lends to itself", d.marks.get("lender"),
                        where + ("debt", i, "lender"))
    _check_cycles(s, blocks, known_entities, out)


def _check_tranche_names(fnd, where: tuple, out) -> None:
    """Equity tranches go under figure names made from their names (or party and month):
    two that come out the same would share one figure, the second replacing the first."""
    seen: Dict[str, str] = {}
    for flag in fnd.flags or {}:
        check_name(out, flag, fnd.marks.get("flags"), where + ("flags", flag), "flag name",
                   free=True)           # shown escaped wherever it goes; only its length
    for i, q in enumerate(fnd.equity):
        name = q.name or f"{q.party} {q.date}"
        if not check_name(out, name, q.marks.get("name", q.marks.get("")),
                          where + ("equity", i), "tranche name", free=True):
            continue
        key = run_key(name)
        if key in seen:
            out.add(f"equity tranches '{seen[key]}' and '{name}' would share the figure names "
                    f"*.equity.{key}.*", q.marks.get("name", q.marks.get("")),
                    where + ("equity", i) + (("name",) if q.name else ()),
                    hint="give each tranche its own 'name:' (letters and digits differ)")
        seen.setdefault(key, name)


def _check_contracts(s: Scenario, catalog, out, known_entities) -> Dict[str, object]:
    seen: Dict[str, object] = {}
    for i, c in enumerate(s.contracts):
        path = ("contracts", i)
        if c.name in seen:
            out.add(f"two contracts are named '{c.name}'", c.marks.get("name"), path + ("name",))
        elif c.name in ACQUIRE:
            out.add(f"'{c.name}' is not a usable contract name", c.marks.get("name"),
                    path + ("name",), expected="a name other than 'owned' and 'rented'")
        else:
            check_name(out, c.name, c.marks.get("name"), path + ("name",), "contract name")
        seen.setdefault(c.name, c)
        # when it runs
        if (c.term is None) == (c.end is None):
            out.add("give the contract's 'term' or its 'end', not both" if c.term is not None
                    else "a contract needs a 'term' (such as 5 years) or an 'end' month",
                    c.marks.get("end") or c.marks[""], path)
        elif c.end is not None and c.end < c.start:
            out.add(f"the contract '{c.name}' ends ({c.end}) before it starts ({c.start})",
                    c.marks.get("end"), path + ("end",))
        elif c.term is not None and months_of(c.term) < 1:
            out.add("the term is shorter than a month", c.marks.get("term"), path + ("term",))
        end = c.last_month
        # what it costs
        forms = [k for k in ("amount", "schedule", "capacity") if getattr(c, k) is not None]
        if len(forms) != 1:
            out.add("give exactly one of 'amount' (a total over the term), 'schedule' (by year) "
                    "or 'capacity' (capacity x price)"
                    + (f" (found {', '.join(forms)})" if forms else ""), c.marks[""], path)
        if _given(c, "ramp") and c.amount is None:
            out.add("'ramp' shapes an 'amount' over the term; this contract has none",
                    c.marks.get("ramp"), path + ("ramp",))
        if c.capacity is not None:
            _check_capacity(c.capacity, path + ("capacity",), catalog, out)
        check_years(c.schedule, c.marks.get("schedule"), path + ("schedule",), out)
        check_years(c.usage, c.marks.get("usage"), path + ("usage",), out)
        if end is not None and not (c.end is not None and c.end < c.start):
            for key in ("schedule", "usage"):
                for year in getattr(c, key) or {}:
                    if year.isdigit() and not c.start.year <= int(year) <= end.year:
                        out.add(f"{year} is outside the contract ({c.start} to {end})",
                                c.marks.get(key), path + (key, year))
            p = c.prepayment
            if p is not None and p.date is not None and p.date > end:
                out.add(f"the prepayment ({p.date}) comes after the contract ends ({end})",
                        p.marks.get("date"), path + ("prepayment", "date"))
        # who pays whom
        check_ref(out, c, "payer", path, c.payer, known_entities, "entity")
        check_ref(out, c, "payee", path, c.payee, known_entities, "entity")
        payer = c.payer or known_entities[0]
        if c.payee is not None and c.payee == payer:
            out.add(f"'{payer}' would pay itself", c.marks.get("payee"), path + ("payee",))
        if c.payee is None and c.counterparty in known_entities:
            out.add(f"the counterparty '{c.counterparty}' is one of the entities: say "
                    f"'payee: {c.counterparty}' to make the payments its revenue",
                    c.marks.get("counterparty"), path + ("counterparty",))
        if c.payee is None and c.counterparty is None:
            out.add("a contract needs a 'counterparty' (or a 'payee' among the entities)",
                    c.marks[""], path)
    return seen


def _check_capacity(cap, path, catalog, out) -> None:
    gpus = cap.accelerators is not None or cap.price is not None
    power = cap.power is not None or cap.power_price is not None
    if gpus == power:
        out.add("capacity is either 'accelerators' x 'price' ($/GPU-hour) or 'power' x "
                "'power_price' ($/kW-month)", cap.marks[""], path)
    elif gpus and (cap.accelerators is None or cap.price is None):
        out.add("capacity in accelerators needs both 'accelerators' and 'price'", cap.marks[""],
                path)
    elif power and (cap.power is None or cap.power_price is None):
        out.add("capacity in power needs both 'power' and 'power_price'", cap.marks[""], path)
    if cap.accelerator is not None and not gpus:
        out.add("'accelerator' names what 'accelerators' are; give them with a 'price'",
                cap.marks.get("accelerator"), path + ("accelerator",))
    check_ref(out, cap, "accelerator", path, cap.accelerator, catalog.accelerators, "accelerator")


def _check_acquire(s: Scenario, out, contracts) -> None:
    allowed = list(ACQUIRE) + list(contracts)
    things = [(("fleets", k), f) for k, f in (s.fleets or {}).items()]
    things += [(("training", i), r) for i, r in enumerate(s.training)]
    blocks = [(("funding",), s.funding)] + [(("entities", k, "funding"), e.funding)
                                            for k, e in (s.entities or {}).items()]
    for where, fnd in blocks:
        ops = fnd.operations if fnd is not None else None
        if ops is not None and ops.inference is not None:
            things.append((where + ("operations", "inference"), ops.inference))
    for path, obj in things:
        a = obj.acquire
        if a is not None and path[0] == "training" and (obj.on is not None or obj.rent is not None):
            out.add("'acquire' applies to runs the plan sizes; this run " +
                    ("uses a fleet ('on'), which says how it is acquired" if obj.on is not None
                     else "rents its capacity ('rent')"), obj.marks.get("acquire"),
                    path + ("acquire",))
            continue
        if a is not None and path[0] == "fleets" and obj.rent is not None:
            out.add("'acquire' applies to fleets without 'rent' (a fleet with 'rent' is rented "
                    "at its own price)", obj.marks.get("acquire"), path + ("acquire",))
            continue
        if a == "owned" and path[-1] == "inference":
            out.add("serving on owned capacity is written as a fleet; 'acquire' here is "
                    "'rented' or a contract", obj.marks.get("acquire"), path + ("acquire",))
            continue
        if a is None or a in allowed:
            continue
        out.add(f"unknown acquisition '{a}'", obj.marks.get("acquire"), path + ("acquire",),
                expected="'owned', 'rented', or one of the contracts: "
                + (", ".join(contracts) or "(none defined)"), hint=did_you_mean(a, allowed))


def _check_debt(fnd, where, out) -> None:
    for i, d in enumerate(fnd.debt):
        path = where + ("debt", i)
        if d.draws is not None:
            if d.principal is not None or d.date is not None:
                out.add("give 'principal' and 'date', or a 'draws' schedule, not both",
                        d.marks.get("draws"), path + ("draws",))
            months = []
            for key in d.draws:
                try:
                    months.append(Month.parse(key))
                except ValueError as e:
                    out.add(f"'{key}' is not a month: {e}", d.marks.get("draws"),
                            path + ("draws", key), expected="a month written YYYY-MM")
            if not d.draws:
                out.add("'draws' is empty", d.marks.get("draws"), path + ("draws",))
        elif d.principal is None or d.date is None:
            out.add("a loan needs 'principal' and 'date' (or a 'draws' schedule)", d.marks[""],
                    path)
            months = []
        else:
            months = [d.date]
        term = months_of(d.term)
        grace = months_of(d.grace)
        every = PAYMENT_MONTHS[d.payments]
        if term < 1:
            out.add("the term is shorter than a month", d.marks.get("term"), path + ("term",))
            continue
        if d.repayment == "bullet":
            if _given(d, "grace"):
                out.add("'grace' applies to amortising loans (a bullet loan pays interest only "
                        "until its end)", d.marks.get("grace"), path + ("grace",))
            last_draw = term - 1
        else:
            if grace >= term:
                out.add(f"the grace period ({grace} months) must end before the term "
                        f"({term} months)", d.marks.get("grace"), path + ("grace",))
                continue
            if (term - grace) % every:
                out.add(f"{term - grace} months of repayment are not a whole number of "
                        f"{d.payments} payments", d.marks.get("term"), path + ("term",),
                        hint=f"make term - grace a multiple of {every} months")
            last_draw = grace
        if months:
            first = min(months)
            late = [m for m in months if m.index - first.index > last_draw]
            if late:
                out.add(f"the draw in {late[0]} comes after the "
                        + ("grace period ends" if d.repayment == "amortising" else "loan's term"),
                        d.marks.get("draws"), path + ("draws", str(late[0])))


def _check_verdict(fnd, where, out) -> None:
    v = fnd.verdict
    if v is None or v.buffer is None:
        return
    b = v.buffer
    if (b.amount is None) == (b.months is None):
        out.add("a buffer is an 'amount' or 'months' of operating cost, one of them",
                b.marks[""], where + ("verdict", "buffer"))


def _check_cycles(s: Scenario, blocks, known_entities, out) -> None:
    if len(known_entities) < 2:
        return
    from ..engine.finance import funding_cycles
    known = set(known_entities)
    edges, outside = [], {}
    for owner, fnd, _ in blocks:
        has = _positive(fnd.cash) or bool(fnd.revenue) or bool(fnd.lease_income)
        has = has or any(_positive(r.amount) or _positive(r.else_) for r in fnd.raises)
        for q in fnd.equity:
            if q.party in known:
                edges.append((q.party, owner))
            elif _positive(q.amount) or _positive(q.else_):
                has = True
        for d in fnd.debt:
            if d.lender in known:
                edges.append((d.lender, owner))
            elif _positive(d.principal) or any(_positive(v) for v in (d.draws or {}).values()):
                has = True
        outside[owner] = has
    for c in s.contracts:
        if c.payee in known:
            edges.append((c.payer or known_entities[0], c.payee))
    marks = {owner: fnd.marks[""] for owner, fnd, _ in blocks}
    for name, e in (s.entities or {}).items():
        marks[name] = e.marks[""]
    for cycle in funding_cycles(known_entities, edges, outside):
        path = ("entities", cycle[0]) if cycle[0] in (s.entities or {}) else ("funding",)
        out.add("entities fund each other in a cycle with no outside money: "
                + " -> ".join(cycle + [cycle[0]]), marks.get(cycle[0], s.marks.get("")), path,
                hint="give one of them cash, revenue, lease income, or equity or debt from a "
                     "party outside the scenario")
