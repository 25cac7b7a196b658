"""Charts: SVG with a text alternative, Vietnamese numbers, unique ids, drawn once and cached on disk."""

import re

import pytest
from django.utils import translation

from chiso.results import charts
from chiso.results.queries import ranking_get, scorecard_get

pytestmark = pytest.mark.django_db


def test_ranking_charts_are_accessible_svg_with_vietnamese_numbers(sample, settings):
    run = sample.ddci_2023
    with translation.override("vi"):
        drawn = charts.ranking_charts(run, ranking_get(run))
    bars = drawn["ranking"]
    assert bars.svg.startswith('<svg role="img" aria-labelledby="t-')
    assert "<title" in bars.svg and "Sở Tài chính" in bars.svg  # text stays text
    score = ranking_get(run).rows[0].score
    assert f"{score:.1f}".replace(".", ",") in bars.svg  # 1.234,5 style on the bars
    assert "Sở Tài chính" in bars.alt and "4" in bars.alt
    assert drawn["heatmap"] is not None and drawn["intervals"] is None  # no uncertainty analysis yet
    files = list((settings.MEDIA_ROOT / "charts" / run.result_checksum).glob("*.svg"))
    assert {f.name.split("-")[0] for f in files} == {"ranking", "heatmap"}


def test_a_cached_chart_is_read_not_drawn_again(sample, monkeypatch):
    card = scorecard_get(sample.ddci_2023, sample.units["S-A"])
    first = charts.scorecard_charts(card)
    monkeypatch.setattr(charts, "Figure", lambda *a, **k: pytest.fail("drawn twice"))
    again = charts.scorecard_charts(card)
    assert again["pillars"].svg == first["pillars"].svg and again["trend"].svg == first["trend"].svg


def test_charts_on_one_page_never_share_an_element_id(sample):
    card = scorecard_get(sample.ddci_2023, sample.units["S-A"])
    drawn = charts.scorecard_charts(card)
    ids = [set(re.findall(r'\bid="([^"]+)"', c.svg)) for c in drawn.values()]
    assert ids[0] and ids[1] and not ids[0] & ids[1]


def test_two_pillars_give_bars_and_rank_intervals_a_chart(sample):
    card = scorecard_get(sample.par_2023, sample.units["S-B"])  # PAR-T has two fields: no radar
    pillars = charts.scorecard_charts(card)["pillars"]
    assert "polar" not in pillars.svg and "Công tác chỉ đạo" in pillars.svg
    run = sample.ddci_2023
    run.details["rank_intervals"] = {"S-A": [1, 2], "S-B": [1, 3]}  # the fallback, without an analysis
    run.result_checksum = "1" * 64
    intervals = charts.ranking_charts(run, ranking_get(run))["intervals"]
    assert intervals is not None and "Sở Tư pháp" in intervals.svg
