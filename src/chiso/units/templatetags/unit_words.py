"""Block codes in words on pages."""

from django import template

from chiso.units.models import Block

register = template.Library()


@register.filter
def block_names(codes) -> str:
    """"Sở, ban, ngành; Cơ quan ngành dọc" for ["department", "central_agency"], in the blocks'
    order (names hold commas, so a semicolon between them); a code no block has (an old
    framework file) is shown as it is, last."""
    codes = list(codes or [])
    blocks = list(Block.objects.filter(code__in=codes))
    known = {block.code for block in blocks}
    return "; ".join([block.name for block in blocks] + [code for code in codes if code not in known])
