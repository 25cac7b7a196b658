"""The DOCX documents: the official heading, the tables, Vietnamese numbers, differences highlighted."""

import datetime
import io
from decimal import Decimal

import pytest
from docx import Document

from chiso.assessments import documents
from chiso.assessments import services as s
from chiso.assessments.docx_templates import TEMPLATES, build

from .conftest import appraise_all, assessment_of, claim_all

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> tuple[str, list]:
    document = Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    tables = document.tables
    for table in tables:
        for row in table.rows:
            texts += [c.text for c in row.cells]
    return "\n".join(texts), tables


def test_the_templates_are_rebuilt_from_the_script(tmp_path):
    written = build(tmp_path)
    assert sorted(p.name for p in written) == sorted(TEMPLATES)
    for path in written:
        text, _tables = text_of(path.read_bytes())
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "{{ number }}" in text


@pytest.fixture
def appraised_a(cycle, people):
    a = assessment_of(cycle, "S-A")
    claim_all(a, people["officer"])
    s.assessment_submit(assessment=a, by=people["officer"])
    appraise_all(a, people["expert"], {"F2.1": Decimal("3")})
    s.assessment_appraisal_complete(assessment=a, by=people["expert"])
    s.assessment_bonus_penalty_set(assessment=a, by=people["council"], points={"bonus.award": "1"})
    a.refresh_from_db()
    return a


def test_the_unit_appendix_has_the_heading_the_columns_and_highlights(appraised_a):
    text, tables = text_of(documents.appendix_docx(appraised_a))
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Số:", "/PL-HĐTĐ", "Nơi nhận:",
                  "CHỦ TỊCH", "PHỤ LỤC", "Sở Tài chính", "Được khen thưởng về CCHC: 1,00"):
        assert words in text
    table = tables[1]
    assert [c.text for c in table.rows[0].cells] == ["STT", "Lĩnh vực, tiêu chí, tiêu chí thành phần", "Điểm tối đa", "Tự đánh giá",
                                                    "Thẩm định lần 1", "Thẩm định lần 2", "Điểm cuối cùng", "Ghi chú"]
    f21 = next(r for r in table.rows if r.cells[1].text == "Rà soát văn bản")
    assert [c.text for c in f21.cells[2:7]] == ["4,00", "4,00", "3,00", "", "3,00"]
    assert "w:shd" in f21.cells[4]._tc.xml and "w:shd" not in f21.cells[3]._tc.xml  # round 1 differs from the claim


def test_the_report_ranks_every_unit_and_the_submission_names_the_committee(appraised_a, cycle):
    text, tables = text_of(documents.report_docx(cycle))
    assert "BÁO CÁO" in text and "/BC-HĐTĐ" in text
    ranking = tables[1]
    assert ranking.rows[0].cells[1].text == "Đơn vị"
    assert {r.cells[1].text for r in ranking.rows[1:]} == {"Sở Tài chính", "Sở Tư pháp"}
    text, _tables = documents.submission_docx(cycle), None
    text, _tables = text_of(text)
    assert "TỜ TRÌNH" in text and "Kính gửi: Ủy ban nhân dân tỉnh" in text and "/TTr-HĐTĐ" in text


def test_the_submission_names_the_best_and_worst_by_the_index_that_ranks(cycle, people):
    """Sở Tài chính has fewer points (7 against 7,5) but a higher index: one criterion does not apply
    to it, so its maximum is lower. The tờ trình named the unit with the most points as the best,
    which the ranking beside it contradicted."""
    a, b = assessment_of(cycle, "S-A"), assessment_of(cycle, "S-B")
    for assessment, officer, claims in ((a, people["officer"], {"F1.1": "3", "F1.2": None, "F2.1": "4"}),
                                        (b, people["officer_b"], {"F1.1": "2.5", "F1.2": "2", "F2.1": "3"})):
        for item in assessment.items.filter(part="self").select_related("node"):
            points = claims[item.code]
            s.item_self_assess(item=item, by=officer, points=None if points is None else Decimal(points), not_applicable=points is None)
            if item.node.evidence_required:
                s.evidence_document_add(item=item, by=officer, number="12/KH", date=datetime.date(2023, 1, 15), title="Kế hoạch CCHC")
        s.assessment_submit(assessment=assessment, by=officer)
        appraise_all(assessment, people["expert"])
        s.assessment_appraisal_complete(assessment=assessment, by=people["expert"])
    text, _tables = text_of(documents.submission_docx(cycle))
    _report, tables = text_of(documents.report_docx(cycle))
    first, last = tables[1].rows[1].cells, tables[1].rows[-1].cells
    assert (first[1].text, last[1].text) == ("Sở Tài chính", "Sở Tư pháp")  # the ranking, by the index
    assert f"cao nhất Sở Tài chính ({first[-2].text} %)" in text and f"thấp nhất Sở Tư pháp ({last[-2].text} %)" in text
