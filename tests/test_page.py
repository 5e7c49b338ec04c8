"""The shareable page: one self-contained HTML file, checked as text and in a real browser.

The browser test drives Debian's chromium with playwright (both installed by .ci/run) and
skips with the reason where either is missing. Its screenshot is kept in tests/artifacts/.
"""
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from estimator.cli import main

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("ESTIMATOR_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _page(tmp_path, *scenarios) -> Path:
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["report", *scenarios, "--html", str(out), "-o",
                                    str(tmp_path / "r.txt")])
    assert res.exit_code == 0, res.output
    return out


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.append((tag, dict(attrs)))


def test_page_is_one_self_contained_document(tmp_path):
    text = _page(tmp_path, "stargate-500b").read_text()
    p = _Tags()
    p.feed(text)
    assert text.startswith("<!doctype html>")
    assert ("html", {"lang": "en"}) in p.attrs
    assert re.search(r"<title>Stargate.*</title>", text)
    assert p.tags.count("table") >= 4 and "caption" in p.tags and "thead" in p.tags
    assert any(t == "th" and a.get("scope") == "row" for t, a in p.attrs)
    assert p.tags.count("svg") == 2                           # cash and capex charts, inline
    assert "@media print" in text
    # nothing is fetched: no stylesheet, script, image or font from anywhere, and a policy
    # that forbids it
    assert not {"script", "link", "img", "iframe"} & set(p.tags)
    assert re.findall(r"https?://[^\s\"']+", text) == ["http://www.w3.org/2000/svg"] * 2
    assert "default-src 'none'" in text


def test_page_escapes_scenario_text(tmp_path, write):
    path = write("scenario: <b>x</b> & <script>alert(1)</script>\n"
                 "horizon: {start: 2025-01, end: 2025-12}\n")
    text = _page(tmp_path, path).read_text()
    assert "<script>" not in text and "&lt;script&gt;" in text


def test_side_by_side_page_has_the_difference_column(tmp_path):
    text = _page(tmp_path, "openai-40b", "stargate-500b").read_text()
    assert "Δ" in text and "Side by side" in text and text.count("<svg") >= 2


def test_svg_opens_without_a_request(tmp_path):
    svg = tmp_path / "r.svg"
    res = CliRunner().invoke(main, ["report", "h100-server", "--svg", str(svg), "-o",
                                    str(tmp_path / "r.txt")])
    assert res.exit_code == 0
    text = svg.read_text()
    assert re.findall(r"url\((?!#)", text) == []          # only references inside the file
    assert "cdnjs" not in text and "@font-face" not in text


def _browser():
    playwright = pytest.importorskip("playwright.sync_api",
                                     reason="playwright is not installed (.ci/run installs it)")
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip(f"no chromium at {CHROMIUM} (.ci/run installs Debian's chromium; it could "
                    "not be installed here)")
    return playwright


def test_page_renders_in_headless_chromium(tmp_path):
    import estimator
    sync_api = _browser()
    page_file = _page(tmp_path, "openai-40b")
    result = estimator.estimate("openai-40b")
    requests = []
    with sync_api.sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                         headless=True)
        except Exception as e:  # noqa: BLE001 - a browser that cannot start here is a skip
            pytest.skip(f"chromium could not start: {str(e).splitlines()[0]}")
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            assert page.title().startswith("OpenAI")
            verdict = page.locator("#verdict")
            covered = bool(result.value("funding.covered"))
            assert verdict.is_visible()
            assert ("Covered" if covered else "Not covered") in verdict.inner_text()
            tables = page.locator("table")
            assert tables.count() >= 4
            for i in range(tables.count()):
                box = tables.nth(i).bounding_box()
                assert box and box["height"] > 20 and box["width"] > 200
            charts = page.locator("figure svg")
            assert charts.count() >= 1
            for i in range(charts.count()):
                box = charts.nth(i).bounding_box()
                assert box and box["height"] > 50 and box["width"] > 300
            # bars are drawn: the cash chart has one per month
            assert page.locator("figure svg").first.locator("rect").count() == len(result.months)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "report-page.png"), full_page=True)
            page.emulate_media(media="print")
            assert page.locator("#verdict").is_visible()
        finally:
            browser.close()
    assert [u for u in requests if not u.startswith("file:")] == []
    assert (ARTIFACTS / "report-page.png").stat().st_size > 10_000


def test_page_carries_the_verdict_words_and_the_money_tables(tmp_path):
    import estimator
    from html import escape
    from estimator.report import money
    result = estimator.estimate("openai-stargate")
    _, words, lines = money.headline(result)
    text = _page(tmp_path, "openai-stargate").read_text()
    assert escape(words) in text and all(escape(line) in text for line in lines)
    for caption in ("Year by year", "Each entity&#x27;s verdict", "Money between the entities"):
        assert f"<caption>{caption}" in text
    for row in money.entity_rows(result):
        assert f'<th scope="row">{escape(row[0])}</th>' in text
