"""The money keys: contracts, acquisition, equity by party, amortising debt, lease income,
entities and the verdict's window, buffer and discount rate; loaded, in the JSON Schema, and
refused with located errors when they do not make sense."""
import json
import re

import pytest
from click.testing import CliRunner

from estimator.cli import main
from estimator.config.loader import load
from estimator.errors import ConfigError

FULL = """\
scenario: OpenAI and Stargate
horizon: {start: 2025-07, end: 2032-12}
fleets:
  stargate-gb200:
    accelerator: gb200
    accelerators: 400_000
    acquire: oracle
contracts:
  - name: oracle
    counterparty: Oracle (Stargate capacity)
    payee: stargate
    start: 2027-01
    term: 5 years
    amount: $300B
    ramp: 25%
    minimum_take: 80%
    usage: {2027: 50%, 2028: 100%}
    prepayment: {amount: $5B, date: 2026-12}
  - name: aws
    counterparty: AWS
    start: 2025-11
    end: 2032-10
    schedule: {2026: $5B, 2027: $5B}
  - name: coreweave
    counterparty: CoreWeave
    start: 2025-04
    term: 5 years
    capacity: {accelerators: 100_000, accelerator: h100-sxm, price: $2.20/GPU-hour}
    escalator: 3%
  - name: colo
    counterparty: a colocation provider
    start: 2026-01
    term: 10 years
    capacity: {power: 200 MW, power_price: $150/kW-month}
training:
  - {name: frontier-2028, compute: 8e27 FLOP, start: 2028-01, max_days: 150, acquire: rented}
funding:
  entity: openai
  cash: $17.5B
  raises:
    - {name: softbank-second, amount: $30B, date: 2025-12, if: for_profit, else: $20B}
  equity:
    - {party: Microsoft, amount: $10B, date: 2026-06}
  flags: {for_profit: true}
  debt:
    - {name: revolver, principal: $4B, date: 2025-10, rate: 6%, term: 3 years}
    - name: term-loan
      principal: $10B
      date: 2026-01
      rate: 7.5%
      term: 7 years
      repayment: amortising
      grace: 2 years
      payments: quarterly
      lender: JPMorgan
  revenue: {2025: $13B, 2030: $174B}
  verdict:
    window: commitments
    buffer: {months: 6}
    discount_rate: 10%
entities:
  stargate:
    description: the joint venture that builds the capacity
    funding:
      equity:
        - {party: SoftBank, amount: $19B, date: 2025-07}
        - {party: openai, amount: $19B, date: 2025-07, if: for_profit}
      flags: {for_profit: true}
      debt:
        - name: abilene-construction
          draws: {2025-07: $2.3B, 2026-01: $7.1B}
          rate: 8%
          term: 10 years
          repayment: amortising
          grace: 2 years
          lender: JPMorgan
      lease_income: {2027: $10B, 2028: $40B}
      verdict: {buffer: {amount: $1B}}
"""


def test_every_new_key_loads(write, catalog):
    s = load(write(FULL), catalog=catalog)
    oracle, aws, cw, colo = s.contracts
    assert s.main_entity == "openai"
    assert oracle.amount == 300e9 and oracle.ramp == 0.25 and oracle.minimum_take == 0.8
    assert str(oracle.last_month) == "2031-12" and str(aws.last_month) == "2032-10"
    assert oracle.prepayment.amount == 5e9 and str(oracle.prepayment.date) == "2026-12"
    assert cw.capacity.accelerators == 100_000 and cw.capacity.price == pytest.approx(2.2)
    assert colo.capacity.power == 200e6 and colo.capacity.power_price == pytest.approx(0.15)
    assert s.fleets["stargate-gb200"].acquire == "oracle"
    assert s.training[0].acquire == "rented"
    loan = s.funding.debt[1]
    assert loan.repayment == "amortising" and loan.payments == "quarterly"
    assert loan.rate == pytest.approx(0.075)
    assert s.funding.verdict.window == "commitments"
    assert s.funding.verdict.buffer.months == pytest.approx(6 * 730.5)
    assert s.funding.equity[0].party == "Microsoft"
    st = s.entities["stargate"].funding
    assert st.debt[0].draws == {"2025-07": 2.3e9, "2026-01": 7.1e9}
    assert st.lease_income == {"2027": 10e9, "2028": 40e9}
    assert st.equity[1].if_ == "for_profit"


def test_a_rented_or_contracted_fleet_needs_no_site(write, catalog):
    text = BASE + ("fleets:\n  f: {accelerator: h100-sxm, accelerators: 8, acquire: rented}\n"
                   "  g: {server: dgx-h100, servers: 2, acquire: c}\n"
                   "contracts:\n  - {name: c, counterparty: X, start: 2026-01, term: 1 year, "
                   "capacity: {accelerators: 16, price: $2/GPU-hour}}\n")
    s = load(write(text), catalog=catalog)
    assert s.fleets["f"].acquire == "rented" and s.fleets["g"].acquire == "c"


def test_bullet_loans_keep_their_defaults(write, catalog):
    s = load(write(FULL), catalog=catalog)
    bullet = s.funding.debt[0]
    assert bullet.repayment == "bullet" and bullet.grace == 0 and bullet.payments == "monthly"


def test_every_new_key_is_in_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    yaml = pytest.importorskip("yaml")
    schema = json.loads(CliRunner().invoke(main, ["schema"]).output)
    defs = schema["$defs"]
    assert {"contracts", "entities"} <= set(schema["properties"])
    assert {"equity", "lease_income", "verdict", "entity"} <= set(defs["Funding"]["properties"])
    assert {"window", "buffer", "discount_rate"} <= set(defs["Verdict"]["properties"])
    assert defs["Verdict"]["properties"]["window"]["enum"] == ["last_run", "horizon",
                                                               "commitments"]
    assert {"draws", "repayment", "grace", "payments", "lender"} <= set(
        defs["Debt"]["properties"])
    for cls in ("Fleet", "Run", "Inference"):
        assert "acquire" in defs[cls]["properties"]
    assert {"amount", "ramp", "schedule", "capacity", "minimum_take", "prepayment",
            "escalator", "counterparty", "start", "term"} <= set(defs["Contract"]["properties"])
    rate = defs["Debt"]["properties"]["rate"]["anyOf"][0]
    assert rate["exclusiveMinimum"] == -1
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(FULL))


def _problem(write, catalog, text):
    path = write(text)
    with pytest.raises(ConfigError) as e:
        load(path, catalog=catalog)
    return str(e.value)


def _line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


BASE = "scenario: t\nhorizon: {start: 2025-01, end: 2030-12}\n"


def test_contract_that_ends_before_it_starts(write, catalog):
    text = BASE + ("contracts:\n  - name: oracle\n    counterparty: Oracle\n"
                   "    start: 2027-01\n    end: 2026-06\n    amount: $300B\n")
    msg = _problem(write, catalog, text)
    assert "the contract 'oracle' ends (2026-06) before it starts (2027-01)" in msg
    assert re.search(rf"s\.yaml:{_line_of(text, 'end: 2026-06')}:\d+", msg)


def test_debt_rate_below_minus_100_percent(write, catalog):
    text = BASE + ("funding:\n  debt:\n    - {name: odd, principal: $1B, date: 2025-03, "
                   "rate: -150%}\n")
    msg = _problem(write, catalog, text)
    assert "out of range: '-150%' must be more than -100%" in msg
    assert re.search(rf"s\.yaml:{_line_of(text, 'rate: -150%')}:\d+", msg)


def test_entity_paying_an_entity_that_does_not_exist(write, catalog):
    text = BASE + ("contracts:\n  - name: lease\n    payer: openai\n    payee: stargte\n"
                   "    start: 2026-01\n    term: 2 years\n    amount: $1B\n"
                   "funding: {entity: openai, cash: $1B}\n"
                   "entities:\n  stargate:\n    funding: {cash: $1B}\n")
    msg = _problem(write, catalog, text)
    assert "unknown entity 'stargte'" in msg and "did you mean 'stargate'?" in msg
    assert re.search(rf"s\.yaml:{_line_of(text, 'payee: stargte')}:\d+", msg)


def test_cycle_of_entities_without_outside_money(write, catalog):
    # the lab pays the joint venture under a contract; the joint venture is the lab's only
    # investor; neither has cash, revenue or outside money
    text = BASE + ("contracts:\n  - name: lease\n    payee: jv\n    start: 2026-01\n"
                   "    term: 2 years\n    amount: $1B\n"
                   "funding:\n  entity: lab\n  equity:\n"
                   "    - {party: jv, amount: $1B, date: 2026-01}\n"
                   "entities:\n  jv:\n    funding: {}\n")
    msg = _problem(write, catalog, text)
    assert "entities fund each other in a cycle with no outside money: lab -> jv -> lab" in msg
    assert re.search(rf"s\.yaml:{_line_of(text, 'entity: lab')}:\d+", msg)
    # the same graph with outside money (cash, or an outside investor) is fine
    load(write(text.replace("  entity: lab\n", "  entity: lab\n  cash: $5B\n")),
         catalog=catalog)
    load(write(text.replace("funding: {}", "funding: {equity: [{party: SoftBank, amount: $1B, "
                                           "date: 2026-01}]}")), catalog=catalog)
    # without the contract back to it there is no cycle
    load(write(text.replace("payee: jv", "counterparty: Oracle")), catalog=catalog)


@pytest.mark.parametrize("snippet,message", [
    ("contracts:\n  - {name: c, counterparty: X, start: 2026-01, amount: $1B}\n",
     "a contract needs a 'term'"),
    ("contracts:\n  - {name: c, counterparty: X, start: 2026-01, term: 1 year}\n",
     "give exactly one of 'amount'"),
    ("contracts:\n  - {name: c, counterparty: X, start: 2026-01, term: 1 year, amount: $1B, "
     "schedule: {2026: $1B}}\n", "(found amount, schedule)"),
    ("contracts:\n  - {name: c, counterparty: X, start: 2026-01, term: 2 years, "
     "schedule: {2029: $1B}}\n", "2029 is outside the contract (2026-01 to 2027-12)"),
    ("contracts:\n  - {name: c, counterparty: X, start: 2026-01, term: 2 years, "
     "schedule: {2026: $1B}, ramp: 10%}\n", "'ramp' shapes an 'amount'"),
    ("contracts:\n  - {name: c, counterparty: X, start: 2026-01, term: 2 years, "
     "capacity: {accelerators: 10, power_price: $1/kW-month}}\n",
     "capacity is either 'accelerators'"),
    ("contracts:\n  - {name: c, counterparty: X, start: 2026-01, term: 2 years, amount: $1B, "
     "prepayment: {amount: $1B, date: 2029-01}}\n", "comes after the contract ends (2027-12)"),
    ("contracts:\n  - {name: c, start: 2026-01, term: 2 years, amount: $1B}\n",
     "a contract needs a 'counterparty'"),
    ("contracts:\n  - {name: owned, counterparty: X, start: 2026-01, term: 1 year, "
     "amount: $1B}\n", "'owned' is not a usable contract name"),
    ("training:\n  - {name: r, compute: 1e25, max_days: 90, acquire: oracel}\n"
     "contracts:\n  - {name: oracle, counterparty: X, start: 2026-01, term: 1 year, "
     "amount: $1B}\n", "unknown acquisition 'oracel'"),
    ("funding:\n  debt:\n    - {name: l, principal: $1B, date: 2025-01, term: 2 years, "
     "repayment: amortising, grace: 3 years}\n", "must end before the term"),
    ("funding:\n  debt:\n    - {name: l, principal: $1B, date: 2025-01, term: 25 months, "
     "repayment: amortising, payments: quarterly}\n", "25 months of repayment are not a whole"),
    ("funding:\n  debt:\n    - {name: l, principal: $1B, date: 2025-01, grace: 1 year}\n",
     "'grace' applies to amortising loans"),
    ("funding:\n  debt:\n    - {name: l, rate: 5%}\n", "a loan needs 'principal' and 'date'"),
    ("funding:\n  debt:\n    - {name: l, draws: {2025-01: $1B, 2027-01: $1B}, term: 3 years, "
     "repayment: amortising, grace: 1 year}\n",
     "the draw in 2027-01 comes after the grace period ends"),
    ("funding:\n  debt:\n    - {name: l, draws: {2025-13: $1B}}\n", "'2025-13' is not a month"),
    ("funding:\n  verdict: {buffer: {amount: $1B, months: 3}}\n",
     "a buffer is an 'amount' or 'months'"),
    ("funding:\n  verdict: {window: forever}\n", "'forever' is not allowed here"),
    ("funding:\n  equity:\n    - {party: X, amount: $1B, date: 2025-01, if: nope}\n",
     "unknown flag 'nope'"),
    ("funding:\n  lease_income: {next: $1B}\n", "'next' is not a year"),
    ("entities:\n  jv:\n    funding: {entity: jv, cash: $1B}\n",
     "an entity is named by its key"),
    ("entities:\n  main:\n    funding: {cash: $1B}\n", "has the name of the scenario's own"),
    ("contracts:\n  - {name: c, counterparty: jv, start: 2026-01, term: 1 year, amount: $1B}\n"
     "entities:\n  jv:\n    funding: {cash: $1B}\n", "say 'payee: jv'"),
    ("fleets:\n  f: {accelerator: h100-sxm, accelerators: 8, rent: {price: $2/GPU-hour}, "
     "acquire: owned}\n", "an owned fleet has no 'rent'"),
    ("fleets:\n  f: {accelerators: 8, acquire: rented}\n",
     "a fleet acquired as 'rented' needs 'accelerator'"),
    ("datacenters:\n  dc: {it_capacity: 1 MW}\nfleets:\n  f: {server: dgx-h100, servers: 1, "
     "site: dc}\ntraining:\n  - {name: r, compute: 1e24, on: f, acquire: rented}\n",
     "a run on a fleet is acquired as its fleet is: set 'acquire' on fleet 'f'"),
])
def test_money_keys_that_make_no_sense_are_refused(write, catalog, snippet, message):
    msg = _problem(write, catalog, BASE + snippet)
    assert message in msg, msg
    assert re.search(r"s\.yaml:\d+:\d+", msg)


@pytest.mark.parametrize("name", ["contract-ends-before-start.yaml", "debt-rate-below-100.yaml",
                                  "entity-pays-unknown.yaml", "entity-cycle.yaml"])
def test_cli_exits_2_with_file_line_col(write, name):
    from conftest import BAD_CORPUS
    res = CliRunner().invoke(main, ["validate", str(BAD_CORPUS / name)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert re.search(rf"{re.escape(name)}:\d+:\d+", res.output), res.output


def test_the_readme_example_of_the_money_keys_loads(write, catalog):
    from conftest import ROOT
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Money as it flows", 1)[1]
    block = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    s = load(write("scenario: readme\nhorizon: {start: 2025-07, end: 2032-12}\n" + block),
             catalog=catalog)
    assert [c.name for c in s.contracts] == ["oracle", "coreweave"]
    assert s.funding.debt[1].repayment == "amortising" and "stargate" in s.entities


def test_a_loan_between_entities_is_no_cycle_by_its_repayments(write, catalog):
    # the joint venture lends to the lab (with outside money of its own); the lab's
    # repayments go back to it: that is not the two funding each other
    text = BASE + ("funding:\n  entity: lab\n  debt:\n"
                   "    - {name: l, principal: $1B, date: 2026-01, lender: jv}\n"
                   "entities:\n  jv:\n    funding: {cash: $2B}\n")
    s = load(write(text), catalog=catalog)
    from estimator.engine.commitments import entity_links, party_flows
    links = entity_links(s, party_flows(s, s.horizon.start.index, s.horizon.months, {}))
    assert [(f.payer, f.payee, f.funds) for f in links] == [("jv", "lab", True),
                                                            ("lab", "jv", False)]
