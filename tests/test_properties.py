"""Property-based tests: generated valid scenarios keep the engine's invariants."""
import json
import math

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from estimator.engine.lines import CAPEX, OPEX
from estimator.config.loader import load
from estimator.engine import estimate, estimate_values
from estimator.report import json as jr

SERVERS = ["dgx-h100", "hgx-h200", "hgx-b200", "gb200-nvl72", "mi300x-8"]
ACCELERATORS = ["h100-sxm", "h200-sxm", "b200", "gb200", "mi300x"]
settings.register_profile("estimator", deadline=None, max_examples=40,
                          suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile("estimator")


def representable(x: float) -> float:
    """A drawn value as a scenario may write it: below 1e-100 (other than 0) is refused
    (estimator.units.MIN_MAGNITUDE), so such draws stand for 0."""
    return 0.0 if abs(x) < 1e-100 else x


@st.composite
def scenarios(draw):
    start_year = draw(st.integers(2024, 2027))
    months = draw(st.integers(6, 60))
    end = start_year * 12 + months - 1
    doc = {"scenario": "generated",
           "horizon": {"start": f"{start_year}-01", "end": f"{end // 12}-{end % 12 + 1:02d}"}}
    n_sites = draw(st.integers(0, 2))
    sites, fleets = {}, {}
    for i in range(n_sites):
        name = f"dc{i}"
        site = {"it_capacity": f"{draw(st.integers(20, 400))} MW",
                "pue": draw(st.floats(1.05, 1.6)),
                "mode": draw(st.sampled_from(["build", "lease"])),
                "utilisation": draw(st.floats(0, 1).map(representable)),
                "electricity": f"${draw(st.floats(0.02, 0.2)):.4f}/kWh",
                "build": {"start": doc["horizon"]["start"], "months": draw(st.integers(1, 12))}}
        sites[name] = site
        # a fleet that surely fits: at most ~0.6 of the site at 2.5 kW per accelerator
        cap = int(float(site["it_capacity"].split()[0]) * 1e6 * 0.6 / 2600)
        fleets[f"f{i}"] = {"server": draw(st.sampled_from(SERVERS)),
                           "accelerators": draw(st.integers(0, max(cap, 1))), "site": name}
    if draw(st.booleans()):
        fleets["cloud"] = {"accelerator": draw(st.sampled_from(ACCELERATORS)),
                           "accelerators": draw(st.integers(1, 5000)),
                           "rent": {"price": f"${draw(st.floats(0.5, 10)):.2f}/GPU-hour",
                                    "discount": draw(st.floats(0, 0.6).map(representable))}}
    if sites:
        doc["datacenters"] = sites
    if fleets:
        doc["fleets"] = fleets
    runs = []
    for j in range(draw(st.integers(0, 3))):
        run = {"name": f"r{j}", "compute": f"{draw(st.floats(1e23, 1e27)):.3e} FLOP",
               "mfu": draw(st.floats(0.1, 0.6)), "goodput": draw(st.floats(0.5, 1.0)),
               "start": doc["horizon"]["start"], "max_days": draw(st.integers(30, 200))}
        if draw(st.booleans()):
            run["rent"] = {"accelerator": draw(st.sampled_from(["h100-sxm", "b200"])),
                           "price": "$2/GPU-hour"}
        runs.append(run)
    if runs:
        doc["training"] = runs
    if draw(st.booleans()):
        doc["funding"] = {"cash": f"${draw(st.integers(0, 100))}B",
                          "raises": [{"name": "a", "amount": f"${draw(st.integers(0, 50))}B",
                                      "date": doc["horizon"]["start"], "if": "ok", "else": "$1B"}],
                          "flags": {"ok": draw(st.booleans())},
                          "revenue": {str(start_year): f"${draw(st.integers(0, 20))}B"}}
    return doc


def run(tmp_path, doc, name="s.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return estimate(load(str(path)))


LINES = {"capex.total_usd": [line.key for line in CAPEX],      # the engine's registry of lines
         "opex.total_usd": [line.key for line in OPEX]}


@given(doc=scenarios())
def test_totals_equal_their_lines_and_costs_are_never_negative(tmp_path, doc):
    r = run(tmp_path, doc)
    for tot, lines in LINES.items():
        prefix = tot.split(".")[0]
        acc = 0.0
        for line in lines:
            v = r.value(f"{prefix}.{line}_usd")
            assert v >= 0, (prefix, line, v)
            acc += v
        assert acc == r.value(tot)
    for fig in r:
        if fig.unit == "money" and not fig.name.startswith(("funding.", "monthly.funding",
                                                             "book_value", "monthly.book")):
            assert np.all(np.asarray(fig.value) >= -1e-6), fig.name
        if fig.unit in ("money", "power", "energy", "compute"):
            v = np.asarray(fig.value, dtype=float) if fig.value is not None else np.zeros(1)
            assert np.all(np.isfinite(v)), fig.name


@given(doc=scenarios(), factor=st.floats(1.0, 3.0))
def test_costs_are_monotonic_in_counts_and_prices(tmp_path, doc, factor):
    base = run(tmp_path, doc, "a.yaml")
    more = json.loads(json.dumps(doc))
    for f in more.get("fleets", {}).values():
        f["accelerators"] = int(f["accelerators"] * factor)
    for site in more.get("datacenters", {}).values():
        # keep the bigger fleet inside its site
        site["it_capacity"] = f"{float(site['it_capacity'].split()[0]) * factor:.3f} MW"
    for run_ in more.get("training", []):
        if "rent" in run_:
            run_["rent"]["price"] = f"${2 * factor:.4f}/GPU-hour"
    bigger = run(tmp_path, more, "b.yaml")
    for name in ("capex.total_usd", "opex.total_usd", "power.facility_w", "energy.total_wh"):
        assert bigger.value(name) >= base.value(name) * (1 - 1e-9), name
    if "training.cost.rental_usd" in base:
        assert bigger.value("training.cost.rental_usd") >= base.value("training.cost.rental_usd") * (1 - 1e-9)


@given(doc=scenarios())
def test_json_round_trips_and_is_deterministic(tmp_path, doc):
    r = run(tmp_path, doc)
    text = jr.render(r)
    assert json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n" == text
    assert jr.render(run(tmp_path, doc)) == text


@given(doc=scenarios(), seed=st.integers(0, 2**32))
def test_vectorized_equals_scalar_on_generated_scenarios(tmp_path, catalog, doc, seed):
    """Sample a fleet size and a PUE as arrays; each sample equals the scalar run."""
    from estimator.distributions import Dist, collect, substitute
    if "datacenters" not in doc:
        return
    doc = json.loads(json.dumps(doc))
    site = doc["datacenters"]["dc0"]
    site["pue"] = {"low": 1.05, "high": 1.6}
    path = tmp_path / "v.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    scn = load(str(path))
    found = collect(scn)
    draws = {id(d): d.sample(np.random.default_rng(seed), 5) for _, d in found}
    vec = estimate_values(substitute(scn, lambda d: draws[id(d)] if isinstance(d, Dist) else d),
                          catalog)
    for i in range(5):
        one = estimate_values(substitute(scn, lambda d: float(draws[id(d)][i])
                                         if isinstance(d, Dist) else d), catalog)
        for name in ("capex.total_usd", "opex.total_usd", "energy.total_wh", "power.facility_w"):
            v = np.broadcast_to(np.asarray(vec.value(name), dtype=float), (5,))[i]
            assert math.isclose(v, float(one.value(name)), rel_tol=1e-9, abs_tol=1e-6), name
