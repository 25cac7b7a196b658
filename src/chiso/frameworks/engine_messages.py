"""The engine's validation messages (English, as a library speaks) in the user's language.

The engine stays free of Django; here each of its message shapes is matched and rewritten
through gettext. A message of a shape not listed is shown as the engine wrote it.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

WHERE = r"(?P<where>row \d+|column \d+|'[^']*')"
SHAPES = [
    (r"^row (?P<row>\d+): (?P<rest>.*)$", None),  # the row prefix is translated, then the rest
    (r"^duplicate code '(?P<code>[^']*)' \(first at row (?P<first>\d+)\)$",
     _("duplicate code '%(code)s' (first at row %(first)s)")),
    (r"^'(?P<code>[^']*)' has no Level$", _("'%(code)s' has no Level")),
    (r"^indicator '(?P<code>[^']*)' must be at Level 1, not (?P<level>\S+)$",
     _("indicator '%(code)s' must be at Level 1, not %(level)s")),
    (r"^aggregate '(?P<code>[^']*)' must be at Level 2 or above, not (?P<level>\S+)$",
     _("aggregate '%(code)s' must be at Level 2 or above, not %(level)s")),
    (r"^'(?P<code>[^']*)' \(Level (?P<level>\S+)\) has no parent \(orphan\)$",
     _("'%(code)s' (Level %(level)s) has no parent")),
    (r"^unknown parent '(?P<parent>[^']*)' of '(?P<code>[^']*)'$", _("unknown parent '%(parent)s' of '%(code)s'")),
    (r"^aggregate '(?P<code>[^']*)' has no children$", _("aggregate '%(code)s' has no children")),
    (r"^missing iCode$", _("missing iCode")),
    (r"^missing Type for '(?P<code>[^']*)'$", _("missing Type for '%(code)s'")),
    (r"^Weight of '(?P<code>[^']*)' is not a number: (?P<value>.*)$", _("Weight of '%(code)s' is not a number: %(value)s")),
    (r"^Weight of '(?P<code>[^']*)' is missing$", _("Weight of '%(code)s' is missing")),
    (r"^Level of '(?P<code>[^']*)' is not a whole number: (?P<value>.*)$", _("Level of '%(code)s' is not a whole number: %(value)s")),
    (r"^Direction of '(?P<code>[^']*)' must be 1 or -1, not (?P<value>.*)$", _("Direction of '%(code)s' must be 1 or -1, not %(value)s")),
    (r"^(?P<label>\S+) of '(?P<code>[^']*)' is not a number: (?P<value>.*)$", _("%(label)s of '%(code)s' is not a number: %(value)s")),
    (r"^cycle in parents: (?P<cycle>.*)$", _("cycle in parents: %(cycle)s")),
    (r"^unknown Type '(?P<type>[^']*)' for '(?P<code>[^']*)' \(expected one of (?P<types>.*)\)$",
     _("unknown Type '%(type)s' for '%(code)s' (expected one of %(types)s)")),
]
COMPILED = [(re.compile(pattern), template) for pattern, template in SHAPES]


def engine_message(text: str) -> str:
    """'row 4: unknown parent 'X' of 'a'' → 'dòng 4: không có nút cha 'X' của 'a''."""
    for pattern, template in COMPILED:
        match = pattern.match(text)
        if not match:
            continue
        if template is None:
            return _("row %(row)s") % {"row": match["row"]} + ": " + engine_message(match["rest"])
        return template % match.groupdict()
    return text
