"""Block codes in words."""

import pytest
from django.utils import translation

from chiso.units.templatetags.unit_words import block_names


@pytest.mark.django_db
def test_block_codes_become_their_names_in_block_order():
    with translation.override("vi"):
        text = block_names(["central_agency", "department", "nowhere"])
    assert "department" not in text and "central_agency" not in text
    assert text.startswith("Sở, ban, ngành; ") and text.endswith("; nowhere")
