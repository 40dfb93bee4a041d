"""Publication: what reaches the HTML, the small-number safety check, the index, atomic writes.

These tests render notebooks built in memory from the real display outputs of
``analysis.present.report`` (no kernel), so every rule is checked quickly and directly.
"""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup

from analysis import config
from analysis.errors import PublicationError
from analysis.methods import areas
from analysis.present import publish, report
from tests.conftest import code_cell, outputs_of

matplotlib.use("Agg")
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def hampshire():
    return areas.get_area("E10000014")


@pytest.fixture
def page(hampshire):
    return publish.report_page(
        hampshire,
        "01_prevalence",
        {"area": "E10000014", "confidence_level": 0.9},
        {"version": "0.1.0", "commit": "abc123", "geography": config.GEOGRAPHY_VINTAGE, "data": ["Fixture data line"]},
    )


@pytest.fixture
def notebook(monkeypatch, hampshire):
    """A notebook like an executed topic notebook, with everything that must not be published."""
    import matplotlib.pyplot as plt

    ctx = report.ReportContext("01_prevalence", hampshire, 0.9, {"area": "E10000014", "confidence_level": 0.9})
    fig, ax = plt.subplots()
    ax.bar(["a", "b"], [1, 2])
    counts = pd.DataFrame({"group": ["fixture A", "fixture B"], "count": [3, 120], "rate_per_100k": [0.2, 8.6]})
    cells = [
        nbformat.v4.new_markdown_cell("RESEARCHER-NOTES-MARKER", metadata={"tags": ["researcher-notes"]}),
        code_cell("area: str = 'E10000014'  # PARAMETERS-MARKER", tags=["parameters"]),
        code_cell("# Parameters\narea = 'E10000014'\nINJECTED-MARKER", tags=["injected-parameters"]),
        code_cell(
            "from analysis.present import report\nctx = report.start(...)  # CODE-MARKER",
            outputs_of(monkeypatch, lambda: report.title(ctx)),
        ),
        nbformat.v4.new_markdown_cell("## Headline"),
        code_cell(
            "report.headline(...)",
            outputs_of(
                monkeypatch,
                lambda: (
                    report.headline("Hampshire headline sentence."),
                    report.record(estimate_per_100k_adults=1234.5),
                ),
            )
            + [
                nbformat.v4.new_output("stream", name="stdout", text="STDOUT-MARKER\n"),
                nbformat.v4.new_output("stream", name="stderr", text="UserWarning: WARNING-MARKER\n"),
            ],
        ),
        nbformat.v4.new_markdown_cell(
            "## Findings\n\nNarrative text.\n\n#### Findings skipped a level\n\nDetail."
            "\n\n# A second top heading\n\nMore narrative."
        ),
        code_cell(
            "report.table(...)",
            outputs_of(
                monkeypatch,
                lambda: (
                    report.table(counts, "Fixture counts", count_columns=["count"], derived_columns=["rate_per_100k"]),
                    report.figure(fig, alt="Fixture bar chart of two groups."),
                    report.markdown(f"PATH-MARKER {config.project_root()}/data/raw"),
                    report.markdown(pd.DataFrame({"MD-BYPASS": [3]}).to_html()),
                ),
            )
            + [
                nbformat.v4.new_output(
                    "display_data", data={"text/html": pd.DataFrame({"BYPASS": [3]}).to_html(), "text/plain": "BYPASS"}
                ),
                nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}),
                nbformat.v4.new_output(
                    "execute_result", data={"text/plain": "EXECUTE-RESULT-MARKER"}, execution_count=3
                ),
                nbformat.v4.new_output(
                    "display_data",
                    data={"text/html": '<script src="https://cdn.example.org/x.js"></script><p>after script</p>'},
                ),
                nbformat.v4.new_output(
                    "error",
                    ename="ValueError",
                    evalue="ERROR-MARKER",
                    traceback=["Traceback (most recent call last):", "ValueError: ERROR-MARKER"],
                ),
            ],
        ),
        nbformat.v4.new_markdown_cell("## Sources"),
        code_cell("report.reproduce(ctx)", outputs_of(monkeypatch, lambda: report.reproduce(ctx))),
    ]
    nb = nbformat.v4.new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "analysis", "display_name": "x", "language": "python"},
            "papermill": {
                "input_path": str(config.project_root() / "notebooks" / "PAPERMILL-MARKER.ipynb"),
                "parameters": {"area": "E10000014"},
            },
        },
    )
    return nb


@pytest.fixture
def rendered(notebook, page):
    return publish.render_report(notebook, page, now=NOW)


def test_page_has_title_date_area_headline_first_contents_and_about(rendered):
    soup = BeautifulSoup(rendered.html, "html.parser")
    assert soup.html["lang"] == "en"
    assert soup.title.string == "Hampshire: prevalence of domestic abuse"
    assert [h.get_text() for h in soup.find_all("h1")] == ["Hampshire: prevalence of domestic abuse"]
    assert soup.select_one(".report-date").get_text() == "Published 2 March 2026"
    main_children = [tag for tag in soup.find("main").children if getattr(tag, "name", None)]
    assert [t.name for t in main_children[:4]] == ["h1", "p", "p", "div"]
    assert "headline" in main_children[3]["class"]  # headline first, before the contents
    assert main_children[4].name == "nav"
    contents = [a.get_text() for a in soup.select("#contents-list a")]
    # "Headline" is gone: its headline moved to the top and left the section empty
    assert contents == ["Findings", "A second top heading", "Sources", "About this report"]
    assert soup.find(string="Findings skipped a level").parent.name == "h3"  # was h4 after an h2
    for link in soup.select("#contents-list a"):
        assert soup.find(id=link["href"][1:]) is not None
    about = soup.find(id="about-this-report").parent.get_text(" ", strip=True)
    assert "version 0.1.0 (code revision abc123)" in about and "Fixture data line" in about
    assert "confidence level = 0.9" in about  # the parameter in words; its exact name is in the command
    assert "analysis batch --area E10000014 --notebooks 01_prevalence -p confidence_level 0.9" in about
    assert "Contains OS data © Crown copyright" in soup.find("footer").get_text()


def test_headings_are_in_order_without_skipped_levels(rendered):
    soup = BeautifulSoup(rendered.html, "html.parser")
    levels = [int(h.name[1]) for h in soup.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels


@pytest.mark.parametrize(
    "marker",
    [
        "RESEARCHER-NOTES-MARKER",
        "PARAMETERS-MARKER",
        "INJECTED-MARKER",
        "CODE-MARKER",
        "STDOUT-MARKER",
        "WARNING-MARKER",
        "EXECUTE-RESULT-MARKER",
        "ERROR-MARKER",
        "Traceback",
        "BYPASS",
        "MD-BYPASS",
        "PAPERMILL-MARKER",
        "papermill",
        "In&nbsp;[",
        "In [",
        "Out[",
        "cdn.example.org",
        "<script",
        "jp-InputArea-editor",
        "highlight",
    ],
)
def test_nothing_but_the_story_reaches_the_html(rendered, marker):
    assert marker not in rendered.html


def test_machine_paths_are_removed(rendered):
    assert str(config.project_root()) not in rendered.html
    assert "PATH-MARKER [project folder]/data/raw" in rendered.html
    assert str(Path.home()) + "/" not in rendered.html


def test_an_image_whose_data_spells_a_folder_path_is_published_unchanged(monkeypatch, page):
    # A home folder whose path is all base64 characters: a run of an image's base64 can spell it.
    monkeypatch.setenv("HOME", "/tmp/ab")
    data = "iVBORw0KGgo" + "A" * 400 + "/tmp/ab/" + "B" * 400 + "=="
    nb = _html_notebook(f'<p>Saved in /tmp/ab/reports.</p><img alt="A map" src="data:image/png;base64,{data}">')
    html = publish.render_report(nb, page).html
    assert f'src="data:image/png;base64,{data}"' in html  # the picture as it was drawn
    assert "Saved in ~/reports." in html and "/tmp/ab/reports" not in html  # the page's text still redacted


def test_what_was_left_out_is_listed(rendered):
    reasons = " | ".join(rendered.dropped)
    for reason in (
        "printed stdout text",
        "printed stderr text",
        "a bare expression result",
        "an error traceback",
        "a table not shown with report.table",
        "a display without HTML or Markdown",
    ):
        assert reason in reasons
    assert all(item.startswith(("cell 5:", "cell 7:")) for item in rendered.dropped), rendered.dropped


def test_a_small_count_never_reaches_the_html(rendered):
    soup = BeautifulSoup(rendered.html, "html.parser")
    table = next(t for t in soup.find_all("table") if t.caption and t.caption.get_text() == "Fixture counts")
    rows = [[c.get_text() for c in row.find_all(["td", "th"])] for row in table.tbody.find_all("tr")]
    assert rows == [["fixture A", "[c]", "[c]"], ["fixture B", "120", "9"]]
    assert [th["scope"] for th in table.thead.find_all("th")] == ["col"] * 3
    assert "[c] = suppressed: fewer than 5 cases" in rendered.html


def test_header_cells_are_scoped_and_special_characters_stay_escaped(page):
    table = (
        '<table class="data-table"><caption>Fixture &amp; table &lt;hand made&gt;</caption>'
        "<thead><tr><th>Area</th><th>Rate</th></tr></thead>"
        "<tbody><tr><th>A &amp; B</th><td>&lt;0.5</td></tr><tr><th>C</th><td>2.5</td></tr></tbody></table>"
    )
    nb = _html_notebook(table)
    html = publish.render_report(nb, page).html
    assert "<caption>Fixture &amp; table &lt;hand made&gt;</caption>" in html
    assert '<th scope="row">A &amp; B</th><td>&lt;0.5</td>' in html
    shown = BeautifulSoup(html, "html.parser").find("table", class_="data-table")
    assert [th["scope"] for th in shown.find_all("th")] == ["col", "col", "row", "row"]


def _html_notebook(html: str):
    """A notebook of one code cell showing ``html`` (a hand-made display output)."""
    return nbformat.v4.new_notebook(
        cells=[code_cell("x", [nbformat.v4.new_output("display_data", data={"text/html": html})])]
    )


def _table_notebook(monkeypatch, show):
    return nbformat.v4.new_notebook(cells=[code_cell("x", outputs_of(monkeypatch, show))])


def test_a_table_published_with_a_lowered_threshold_is_refused(monkeypatch, page):
    frame = pd.DataFrame({"group": ["a", "b"], "count": [3, 40]})
    nb = _table_notebook(
        monkeypatch, lambda: report.table(frame, "Lowered threshold", count_columns=["count"], threshold=2)
    )
    with pytest.raises(PublicationError, match="'Lowered threshold' shows 3 in count column 'Count' \\(row 1\\)"):
        publish.render_report(nb, page)


def test_the_check_reads_a_table_shown_with_its_index(monkeypatch, page):
    frame = pd.DataFrame({"group": ["a", "b"], "count": [40, 3]}).set_index("group")
    nb = _table_notebook(
        monkeypatch, lambda: report.table(frame, "Indexed", count_columns=["count"], threshold=2, index=True)
    )
    shown = BeautifulSoup(nb.cells[0].outputs[0]["data"]["text/html"], "html.parser")
    assert [th.get_text() for th in shown.find_all("th")] == ["Group", "Count"]  # the index is the first column
    with pytest.raises(PublicationError, match="'Indexed' shows 3 in count column 'Count' \\(row 2\\)"):
        publish.render_report(nb, page)


def test_markdown_images_are_embedded_and_remote_ones_refused(page):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    cell = nbformat.v4.new_markdown_cell("![A one-pixel fixture image](attachment:dot.png)")
    cell.attachments = {"dot.png": {"image/png": png}}
    html = publish.render_report(nbformat.v4.new_notebook(cells=[cell]), page).html
    assert f'src="data:image/png;base64,{png}"' in html
    remote = nbformat.v4.new_markdown_cell("![A logo](https://example.org/logo.png)")
    with pytest.raises(PublicationError, match="is not embedded"):
        publish.render_report(nbformat.v4.new_notebook(cells=[remote]), page)


def test_a_hand_made_table_with_a_small_count_is_refused(page):
    table = (
        '<table class="data-table" data-count-columns=\'["referrals"]\'><caption>Hand made</caption>'
        "<thead><tr><th>area</th><th>referrals</th></tr></thead>"
        "<tbody><tr><td>x</td><td>1,204</td></tr><tr><td>y</td><td>4</td></tr></tbody></table>"
    )
    nb = _html_notebook(table)
    with pytest.raises(PublicationError, match="shows 4 in count column 'referrals' \\(row 2\\)"):
        publish.render_report(nb, page)


def test_suppressed_and_large_counts_pass_the_check(monkeypatch, page):
    frame = pd.DataFrame({"group": ["a", "b", "c"], "count": [0, 2, 12_345]})
    nb = _table_notebook(monkeypatch, lambda: report.table(frame, "Counts", count_columns=["count"]))
    html = publish.render_report(nb, page).html
    assert "12,345" in html and "[c]" in html


@pytest.mark.parametrize(
    "image, message",
    [
        ('<img src="data:image/png;base64,iVBORw0KGgo=">', "has no alt text"),
        ('<img src="data:image/png;base64,iVBORw0KGgo=" alt="  ">', "has no alt text"),
        ('<img src="https://example.org/map.png" alt="A map">', "is not embedded"),
    ],
)
def test_images_need_alt_text_and_must_be_embedded(page, image, message):
    nb = _html_notebook(image)
    with pytest.raises(PublicationError, match=message):
        publish.render_report(nb, page)


def test_styles_that_fetch_files_are_refused(page):
    nb = nbformat.v4.new_notebook(
        cells=[
            code_cell(
                "x",
                [
                    nbformat.v4.new_output(
                        "display_data",
                        data={"text/html": '<p style="background: url(https://example.org/a.png)">x</p>'},
                    )
                ],
            )
        ]
    )
    with pytest.raises(PublicationError, match="fetch a file"):
        publish.render_report(nb, page)


def test_the_template_itself_fetches_nothing_and_has_no_script(rendered):
    soup = BeautifulSoup(rendered.html, "html.parser")
    assert soup.find("script") is None and soup.find("link") is None
    assert all(img["src"].startswith("data:image/png;base64,") and img["alt"] for img in soup.find_all("img"))
    assert "mathjax" not in rendered.html.lower() and "require.js" not in rendered.html


def test_the_report_exporter_publishes_the_page_nbconverts_html_exporter_would(rendered, notebook, page, monkeypatch):
    """ReportExporter skips nbconvert's second pass over the page (default alt, tabindex): same page."""
    from nbconvert import HTMLExporter

    again = publish.render_report(notebook, page, now=NOW).html  # its Markdown from the exporter's memo
    monkeypatch.setattr(publish, "_exporter", lambda: HTMLExporter(**publish.EXPORTER_OPTIONS))
    assert publish.render_report(notebook, page, now=NOW).html == rendered.html == again


def test_a_markdown_image_is_embedded_from_its_file_as_it_is_now(tmp_path, page):
    """The exporter remembers converted Markdown, but not Markdown that shows an image."""
    dots = [
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("![A one-pixel fixture image](dot.png)")])
    for dot in dots:
        (tmp_path / "dot.png").write_bytes(base64.b64decode(dot))
        html = publish.render_report(nb, {**page, "notebook_dir": str(tmp_path)}).html
        assert f'src="data:image/png;base64,{dot}"' in html


# ------------------------------------------------------------------------------------------
# Index
# ------------------------------------------------------------------------------------------


def _write_record(folder: Path, notebook: str, **fields) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{notebook}.run.json").write_text(json.dumps({"notebook": notebook, **fields}), encoding="utf-8")
    if fields.get("html"):
        (folder / fields["html"]).write_text("<html></html>", encoding="utf-8")


def test_index_lists_areas_headlines_reports_and_failures(tmp_path):
    hants, soton = tmp_path / "E10000014-hampshire", tmp_path / "E06000045-southampton"
    _write_record(
        hants,
        "01_prevalence",
        area_code="E10000014",
        area_name="Hampshire",
        region_name="South East",
        status="ok",
        html="01_prevalence.html",
        records={"estimate_per_100k_adults": 5123.456},
    )
    _write_record(
        hants,
        "02_refuge_demand_supply",
        area_code="E10000014",
        area_name="Hampshire",
        region_name="South East",
        status="ok",
        html="02_refuge_demand_supply.html",
        records={"required_places": 138.92, "available_places": 92},
    )
    _write_record(
        soton,
        "01_prevalence",
        area_code="E06000045",
        area_name="Southampton",
        region_name="South East",
        status="failed",
        error="cell 4 (In [4]): ValueError: boom",
        failed_notebook="01_prevalence.failed.ipynb",
    )
    path = publish.write_index(tmp_path, {"version": "0.1.0", "commit": None}, now=NOW)
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    assert soup.html["lang"] == "en" and soup.title.string == publish.INDEX_TITLE
    summary = soup.select_one("table.sortable")
    assert summary.caption is not None
    headers = [th.get_text(" ", strip=True) for th in summary.thead.find_all("th")]
    assert headers[:2] == ["Area", "Region"] and headers[-1] == "Reports"
    assert [label for _, label, _ in config.INDEX_HEADLINES] == headers[2:-1]
    rows = summary.tbody.find_all("tr")
    assert [r.th.get_text(" ", strip=True) for r in rows] == ["Hampshire (E10000014)", "Southampton (E06000045)"]
    cells = [td.get_text(strip=True) for td in rows[0].find_all("td")]
    assert cells[1:5] == ["5,123", "138.9", "92", "–"]
    assert rows[0].find_all("td")[1]["data-sort"] == "5123.456"
    links = [a["href"] for a in rows[0].find_all("a")]
    assert links == ["E10000014-hampshire/01_prevalence.html", "E10000014-hampshire/02_refuge_demand_supply.html"]
    assert all((tmp_path / link).is_file() for link in links)
    assert "failed" in rows[1].get_text()
    failures = soup.find(id="failed-runs").find_next("table")
    assert "cell 4 (In [4]): ValueError: boom" in failures.get_text()
    assert failures.find("a")["href"] == "E06000045-southampton/01_prevalence.failed.ipynb"
    assert "Updated 2 March 2026, 09:30 UTC" in soup.get_text()
    script = soup.find("script")
    assert script is not None and not script.get("src")  # sorting is inline


def test_index_opens_with_a_map_linking_each_summary_and_filters_the_table(tmp_path):
    from analysis.methods.indicators import compute_indicator
    from analysis.present import page as page_module

    hants, soton = tmp_path / "E10000014-hampshire", tmp_path / "E06000045-southampton"
    for folder, code, name in ((hants, "E10000014", "Hampshire"), (soton, "E06000045", "Southampton")):
        _write_record(
            folder, "01_prevalence", area_code=code, area_name=name, region_name="South East", status="ok",
            html="01_prevalence.html", records={},
        )  # fmt: skip
    (hants / "index.html").write_text("<html><title>FIXTURE summary</title></html>", encoding="utf-8")
    soup = BeautifulSoup(publish.write_index(tmp_path, now=NOW).read_text(encoding="utf-8"), "html.parser")
    page_module.check_page(soup)  # the publication checks pass on the index
    svg = soup.select_one("figure.index-map-figure svg")
    frame = compute_indicator("homelessness_da_per_residents")
    authorities = frame[frame["level"] == "utla"].set_index("area_name")
    titles = [path.find("title").get_text() for path in svg.find_all("path")]
    assert len(titles) == len(authorities) == 152
    ring = r"M[\d.]+,[\d.]+(?: [\d.]+,[\d.]+){2,}Z"  # every ring has 3 points or more (a browser rejects "MZ")
    assert all(re.fullmatch(f"(?:{ring})+", path["d"]) for path in svg.find_all("path"))
    assert [a["href"] for a in svg.find_all("a")] == ["E10000014-hampshire/index.html"]  # Southampton has none
    hampshire = svg.find("a").find("title").get_text()
    rate = authorities.at["Hampshire", "numerator"] / authorities.at["Hampshire", "denominator"] * 100_000
    assert hampshire.startswith(f"Hampshire: {rate:.1f} per 100,000 residents, 20")
    assert any(t.startswith("Kent: no data") for t in titles)  # an authority with an incomplete year
    legend = [li.get_text(strip=True) for li in soup.select("ul.map-legend li")]
    assert len(legend) == 7 and legend[-2:] == ["no data", "outlined: has an evidence summary"]
    assert "Contains OS data" in soup.select_one("figure.index-map-figure figcaption").get_text()
    assert soup.find(id="england-map").find_next("table") is soup.select_one("table.sortable")  # map first
    rows = soup.select("table.sortable tbody tr")
    assert [r["data-region"] for r in rows] == ["South East", "South East"]
    assert rows[0].find("a").get_text() == "Evidence summary" and rows[1].find("a").get_text() != "Evidence summary"
    assert [o["value"] for o in soup.select("select#region-filter option")] == ["", "South East"]
    assert soup.select_one("input#area-search[type=search]") is not None
    assert soup.find(id="table-controls").has_attr("hidden")  # shown by the script only


def test_the_index_map_never_shows_a_rate_made_from_a_small_count(tmp_path, monkeypatch):
    from analysis.methods import indicators

    real = indicators.compute_indicator("homelessness_da_per_residents")
    fixture = real.copy()
    fixture.loc[fixture["area_code"] == "E10000014", ["numerator", "rate_per_100k"]] = [3.0, 0.2141]  # FIXTURE
    monkeypatch.setattr(indicators, "compute_indicator", lambda indicator, *args, **kwargs: fixture)
    _write_record(tmp_path / "E10000014-hampshire", "01_prevalence", area_code="E10000014", area_name="Hampshire",
                  status="ok", records={})  # fmt: skip
    text = publish.write_index(tmp_path, now=NOW).read_text(encoding="utf-8")
    soup = BeautifulSoup(text, "html.parser")
    path = next(p for p in soup.select("svg path") if p.find("title").get_text().startswith("Hampshire:"))
    assert path.find("title").get_text().startswith("Hampshire: [c] (fewer than 5 households)")
    assert path["fill"].startswith("url(#") and "0.2" not in path.find("title").get_text()
    assert "no data or [c] (fewer than 5 households)" in soup.select_one("ul.map-legend").get_text()


# ------------------------------------------------------------------------------------------
# Atomic writes
# ------------------------------------------------------------------------------------------

# A write that fails part-way (disk full) is reliability case 23b (tests/reliability/test_runs_and_outputs.py).


def test_a_full_disk_fails_the_run_cleanly_and_keeps_the_earlier_report(tmp_path, monkeypatch, notebook, page):
    from analysis.run import runner

    run = runner.Run(
        area_code="E10000014",
        area_name="Hampshire",
        report_slug="E10000014-hampshire",
        notebook="01_prevalence",
        notebook_path=str(tmp_path / "01_prevalence.ipynb"),
        parameters={"area": "E10000014"},
        reports_dir=str(tmp_path),
        project_root=str(config.ROOT),
        fingerprint="f",
        publication_fingerprint="p",
        mode="publish",
        page=page,
    )
    paths = runner.output_paths(run.output_dir, run.notebook)
    run.output_dir.mkdir()
    nbformat.write(notebook, paths["executed"])
    paths["html"].write_text("earlier report", encoding="utf-8")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    outcome = runner.execute_run(run)
    assert outcome.failed and outcome.error.startswith(
        "could not write its files in E10000014-hampshire: No space left on device"
    )
    assert paths["html"].read_text(encoding="utf-8") == "earlier report"
    left = sorted(p.name for p in run.output_dir.iterdir())
    assert left in (
        ["01_prevalence.html", "01_prevalence.ipynb"],
        ["01_prevalence.html", "01_prevalence.ipynb", "data"],
    )
    if "data" in left:  # the data folder the write created stays, with no file of the failed write in it
        assert [p.name for p in (run.output_dir / "data").iterdir()] in ([], [".lock"])
    monkeypatch.undo()
    assert runner.execute_run(run).status == "republished"  # space again: the same run publishes
    assert "Hampshire headline sentence." in paths["html"].read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------
# Contrast
# ------------------------------------------------------------------------------------------


def _luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.1)."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_colour_has_readable_contrast():
    """WCAG 2.1 AA: 4.5:1 for text, against the rule's own background or the white page."""
    css = (publish.TEMPLATES_DIR / "report" / "report.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    checked = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        text = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        if not text:
            continue
        background = re.search(r"background(?:-color)?:\s*(#[0-9a-fA-F]{6})", body)
        shades = [background.group(1)] if background else ["#ffffff", "#f3f2f1", "#eef3f9"]  # page, panels
        for shade in shades:
            assert _contrast(text.group(1), shade) >= 4.5, (selector.strip(), text.group(1), shade)
            checked += 1
    assert checked >= 10
