"""`sodai export-pdf`: the report printed by headless Chromium, in English, Korean and French, read
back with a PDF library (pypdf) and rendered to an image (PDFium).

The report is the site tests' (a real Sail pipeline over generated telemetry, many cells below the
k=10 rule), published as a second publication: its changes are computed against a previous report
that differs in one key finding and one figure highlight, so the changes section has rows to print.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboards import specs
from dashboards.components import cell_names
from dashboards.data import figure_frame
from dashboards.document import DOCUMENT_PAGES
from dashboards.i18n import LANGUAGES, Translator
from dashboards.pdf import export_pdf
from jobs import storage
from orchestration.cli import app
from sodai import report_changes
from tests.site.conftest import CHROMIUM

pytestmark = pytest.mark.sail


def squeezed(text: str) -> str:
    """Text without any whitespace: PDF text extraction puts spaces and line breaks where the
    layout wrapped (and between Korean words), and French numbers hold narrow no-break spaces;
    the PDF's "ﬁ" ligatures read as "fi" (NFKC)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class Printed:
    language: str
    path: Path
    pages: list[str]  # each page's extracted text
    outline: list[str]  # the PDF's top-level bookmarks
    fonts: set[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def part(self, key: str) -> str:
        """The text of one part of the document: from its title's page to the next part's."""
        import pypdf

        reader = pypdf.PdfReader(self.path)
        starts = [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]
        index = 1 + [k for k, _ in DOCUMENT_PAGES].index(key)  # bookmark 0 is the cover
        end = starts[index + 1] if index + 1 < len(starts) else len(self.pages)
        return "\n".join(self.pages[starts[index]:end])


def _previous_of(report: dict) -> dict:
    """A previous publication that differs from `report` in the first published key finding's
    headline and in the first published highlight of a figure."""
    previous = copy.deepcopy(report)
    previous["provenance"]["pipeline_run_id"] = "earlier-run"
    previous["generated_at"] = "2024-01-01T00:00:00+00:00"
    finding = next(f for f in previous["key_findings"] if not f["suppressed"])
    finding["value"] = finding["value"] * 0.5
    next(m for m in finding["measures"] if m["is_headline"])["value"] = finding["value"]
    highlight = next(h for m in previous["figures"] for h in m["highlights"] if not h["is_suppressed"])
    highlight["value"] = highlight["value"] + 1.0
    return previous


@pytest.fixture(scope="module")
def report_with_changes(site_data, tmp_path_factory) -> tuple:
    output = tmp_path_factory.mktemp("pdf-output")
    report = copy.deepcopy(site_data.report)
    previous = _previous_of(report)
    report["changes"] = report_changes.as_json(previous, report)
    report["provenance"]["previous_publication"] = report_changes.identity(previous)
    storage.report_path(output).write_text(json.dumps(report), encoding="utf-8")
    return site_data.settings.with_overrides(paths={"output": str(output)}), report


def _font_name(font) -> str:
    """A font's name: its /BaseFont, or for a Type3 font (glyphs drawn as paths, how Chromium
    embeds the CJK OpenType collections) its descriptor's /FontName."""
    if "/BaseFont" in font:
        return str(font["/BaseFont"])
    return str(font["/FontDescriptor"].get_object()["/FontName"]) if "/FontDescriptor" in font else ""


def _skip_without_chromium() -> None:
    if not shutil.which(CHROMIUM) and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk)")


@pytest.fixture(scope="module")
def printed(report_with_changes) -> dict[str, Printed]:
    import pypdf

    _skip_without_chromium()
    settings, _ = report_with_changes
    documents = {}
    for language in LANGUAGES:
        path = export_pdf(settings, language)
        reader = pypdf.PdfReader(path)
        fonts = {_font_name(font.get_object()) for page in reader.pages
                 for font in (page["/Resources"].get("/Font") or {}).values()}
        documents[language] = Printed(language, path, [page.extract_text() for page in reader.pages],
                                      [item.title for item in reader.outline if not isinstance(item, list)], fonts)
    return documents


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_pdf_opens_with_a_cover_and_a_part_per_page_of_the_report(printed, report_with_changes, language):
    document, (_, report) = printed[language], report_with_changes
    t = Translator(language)
    assert document.path.name == f"report-{language}.pdf"
    assert document.outline == [f"{t('app.title')} {report['report_year']}",
                                *(t(f"nav.{key}") for key, _ in DOCUMENT_PAGES)]
    cover = squeezed(document.pages[0])
    for expected in (str(report["report_year"]), t.window(report["window"]), t.window(report["telemetry"]),
                     report["provenance"]["pipeline_run_id"]):
        assert squeezed(expected) in cover


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_key_finding_reads_as_published_and_a_suppressed_one_reads_suppressed(printed, report_with_changes,
                                                                                    language):
    document, (_, report) = printed[language], report_with_changes
    t, k = Translator(language), report["suppression"]["min_customers"]
    findings = squeezed(document.part("overview"))
    shown = []
    for finding in report["key_findings"]:
        headline = t.suppressed(k) if finding["suppressed"] else t.value(finding["value"], finding["unit"])
        # the card: its id, then its headline, then its title
        assert squeezed(f"{finding['id']}{headline}{t.report_text(finding, 'title')}") in findings, finding["id"]
        for measure in finding["measures"]:
            if not measure["is_headline"]:
                value = t.suppressed(k) if measure["is_suppressed"] else t.value(measure["value"], measure["unit"])
                assert squeezed(f"{t('measure.' + measure['measure'])}:{value}") in findings, (finding["id"], measure)
        shown.append(finding["id"])
    assert len(shown) == 10


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_figure_is_printed_whole_with_its_definition_window_chart_and_highlights(printed, report_with_changes,
                                                                                      language):
    """A figure's title, window, definition and whole chart on one page (the chart's axis titles,
    at its bottom and side, are text of the heading's page), its highlights there or on the next;
    charts drawn as text and vectors (no page holds a raster image)."""
    import pypdf

    document, (_, report) = printed[language], report_with_changes
    t, k = Translator(language), report["suppression"]["min_customers"]
    suppressed_highlights = 0
    for meta in report["figures"] + report["beyond"]:
        card = squeezed(f"{meta['id']}. {t.report_text(meta, 'title')}")
        labelled_window = squeezed(f"{t('ui.window')}: {t.window(meta['window'])}")  # the card's, not the methodology's list
        at = next(n for n, p in enumerate(document.pages) if card in squeezed(p) and labelled_window in squeezed(p))
        page = squeezed(document.pages[at])
        # a long list of highlights may go on over the next page; the chart never does
        page_and_next = page + squeezed("".join(document.pages[at + 1:at + 2]))
        assert squeezed(t("ui.definition") + t.report_text(meta, "definition")) in page, meta["id"]
        frame = figure_frame(meta)
        spec = specs.SPECS.get(meta["id"])
        if spec and not frame.empty:
            chart = specs.build(spec, specs.filter_frame(spec, frame), t, k, t.report_text(meta, "title"))
            for axis in (chart.layout.xaxis, chart.layout.yaxis):
                if axis.title.text:
                    assert squeezed(axis.title.text) in page, (meta["id"], axis.title.text)
        for h in meta["highlights"]:
            suppressed_highlights += h["is_suppressed"]
            value = t.suppressed(k) if h["is_suppressed"] else t.value(h["value"], h["unit"])
            names = cell_names(h["industry_key"], h["subject"], t)
            who = f" ({', '.join(names)})" if names else ""
            assert squeezed(f"{t('measure.' + h['measure'])}{who}: {value}") in page_and_next, h
    assert suppressed_highlights, "the test report must have a suppressed highlight"
    reader = pypdf.PdfReader(document.path)
    assert not [n for n, p in enumerate(reader.pages) if p.images], "charts must be vector graphics, not images"


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_the_changes_since_the_last_publication_are_printed(printed, report_with_changes, language):
    document, (_, report) = printed[language], report_with_changes
    t = Translator(language)
    changes = squeezed(document.part("overview"))
    assert squeezed(t("changes.title")) in changes
    assert len(report["changes"]) == 2
    for change in report["changes"]:
        assert squeezed(t.value(change["previous"], change["unit"]) + t.value(change["current"], change["unit"])) \
            in changes, change


def test_korean_is_printed_with_a_cjk_font_and_page_one_is_drawn(printed, screenshots):
    import pypdfium2

    assert any("CJK" in font for font in printed["ko"].fonts), printed["ko"].fonts
    assert "데이터" in printed["ko"].pages[0]
    for language, document in printed.items():
        image = pypdfium2.PdfDocument(document.path)[0].render(scale=1).to_pil().convert("L")
        image.save(screenshots / f"pdf-{language}-page-1.png")
        dark = sum(image.histogram()[:128])
        assert dark > 0.005 * image.width * image.height, f"page 1 of the {language} PDF is blank"


def test_the_cli_prints_one_language_to_a_chosen_file_and_refuses_bad_options(report_with_changes, tmp_path,
                                                                             monkeypatch):
    settings, _ = report_with_changes
    monkeypatch.setenv("SODAI__PATHS__OUTPUT", str(settings.output))
    monkeypatch.setenv("SODAI__PATHS__LAKEHOUSE", str(settings.lakehouse))
    runner = CliRunner()
    assert runner.invoke(app, ["export-pdf", "--lang", "de"]).exit_code == 2
    assert runner.invoke(app, ["export-pdf", "--lang", "en", "--lang", "fr", "--out", str(tmp_path / "x.pdf")]).exit_code == 2
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.json").write_text('{"report_year": 20', encoding="utf-8")  # cut off mid-write
    monkeypatch.setenv("SODAI__PATHS__OUTPUT", str(broken))
    unreadable = runner.invoke(app, ["export-pdf", "--lang", "en"])
    assert unreadable.exit_code == 2 and "is not a readable report" in " ".join(unreadable.output.split())
    assert unreadable.exception is None or isinstance(unreadable.exception, SystemExit)
    monkeypatch.setenv("SODAI__PATHS__OUTPUT", str(settings.output))
    monkeypatch.setenv("SODAI__DOCUMENT__CHROMIUM", str(tmp_path / "no-browser"))
    refused = runner.invoke(app, ["export-pdf", "--lang", "fr"])
    assert refused.exit_code == 2 and "no-browser" in refused.output
    monkeypatch.delenv("SODAI__DOCUMENT__CHROMIUM")
    _skip_without_chromium()  # the refusals above need no browser; printing does
    result = runner.invoke(app, ["export-pdf", "--lang", "fr", "--out", str(tmp_path / "rapport.pdf")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rapport.pdf").read_bytes().startswith(b"%PDF-")
