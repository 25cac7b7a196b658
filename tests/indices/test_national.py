from pathlib import Path

import pytest

from chiso.core.tabular import ImportFailed
from chiso.indices.models import ExternalResult
from chiso.indices.national import national_results_import

NATIONAL = Path(__file__).resolve().parents[2] / "src" / "chiso" / "indices" / "data" / "national"


@pytest.mark.django_db
def test_vcci_pci_workbook_imports_cao_bang_with_its_published_rank():
    path = NATIONAL / "pci_2016_vcci_workbook.csv"
    assert national_results_import(file_name=path.name, content=path.read_bytes(), year=2016, by=None).count == 63
    cao_bang = ExternalResult.objects.get(index_code="PCI", year=2016, province__contains="Cao Bằng")
    assert 1 <= cao_bang.rank <= 63 and cao_bang.score > 40 and set(cao_bang.components) >= {"transparency", "labor_training"}
    # importing again updates, never duplicates
    national_results_import(file_name=path.name, content=path.read_bytes(), year=2016, by=None)
    assert ExternalResult.objects.filter(index_code="PCI", year=2016).count() == 63


@pytest.mark.django_db
def test_papi_dataset_ranks_by_the_unweighted_total():
    path = NATIONAL / "papi_2016_dataset.csv"
    national_results_import(file_name=path.name, content=path.read_bytes(), year=2016, by=None)
    results = list(ExternalResult.objects.filter(index_code="PAPI", year=2016).order_by("rank"))
    assert results[0].rank == 1 and results[0].score >= results[-1].score
    assert len(results[0].components) == 6


@pytest.mark.django_db
def test_generic_layout_and_its_errors():
    good = "index,year,province,score,rank\nPAR,2024,Cao Bằng,80.5,63\nPAR,2024,Hải Phòng,96.17,1\n"
    assert national_results_import(file_name="par.csv", content=good.encode(), by=None).count == 2
    bad = "index,year,province,score\nPAR,hai nghìn,Cao Bằng,abc\n"
    with pytest.raises(ImportFailed) as failure:
        national_results_import(file_name="bad.csv", content=bad.encode(), by=None)
    text = " ".join(map(str, failure.value.problems))
    assert "abc" in text and "hai nghìn" in text and "dòng 2" in text
    assert ExternalResult.objects.count() == 2
