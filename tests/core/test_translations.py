"""One Vietnamese wording per English text and context, across every translation catalogue.

Django merges the catalogues into one per language: LOCALE_PATHS (chiso's main catalogue) first, then
the apps in INSTALLED_APPS order — Django's own admin and auth come before chiso's apps. So when two
catalogues translate the same (context, msgid) differently, one app's page silently shows the other's
words. Where the same English means different things, the code gives it a context (pgettext,
{% translate "…" context "…" %}); where it means the same, every catalogue uses one term."""

import gettext
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings

import chiso

PACKAGE = Path(chiso.__file__).resolve().parent
LANGUAGE = "vi"

# Clashes tolerated for a while (e.g. while a catalogue is reworked), each with a comment saying the
# fix. The test fails on an entry here that no longer clashes, so the set never hides a new one.
KNOWN_SURVEYS_CLASHES: set[str] = set()  # none left: every catalogue speaks one terminology


def _catalogues() -> list[tuple[str, Path]]:
    """The compiled catalogues in Django's order of precedence, each named: "main", an app label, or a
    third-party app's name."""
    found = []
    for path in settings.LOCALE_PATHS:
        found.append(("main", Path(path) / LANGUAGE / "LC_MESSAGES" / "django.mo"))
    for config in apps.get_app_configs():
        ours = Path(config.path).resolve().is_relative_to(PACKAGE)
        found.append((config.label if ours else config.name, Path(config.path) / "locale" / LANGUAGE / "LC_MESSAGES" / "django.mo"))
    return [(name, mo) for name, mo in found if mo.exists()]


def _ours(mo: Path) -> bool:
    return mo.resolve().is_relative_to(PACKAGE)


def _load(mo: Path) -> dict:
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    return {key: text for key, text in catalog.items() if key != ""}  # "" is the header


def _show(key) -> str:
    msgid, plural = (key if isinstance(key, tuple) else (key, None))
    shown = " | ".join(repr(part) for part in msgid.split("\x04"))  # context | msgid
    return shown if plural is None else f"{shown} [{plural}]"


def _msgid(key) -> str:
    return key[0] if isinstance(key, tuple) else key


def _clashes(known=frozenset()) -> dict:
    """{key: {catalogue: translation}} for every key of one of chiso's catalogues whose translation is
    not the one Django shows (the first catalogue in precedence that has the key). A clash of a known
    msgid with the surveys catalogue is left out."""
    loaded = [(name, _ours(mo), _load(mo)) for name, mo in _catalogues()]
    clashes = {}
    for name, ours, catalog in loaded:
        if not ours:
            continue
        for key, text in catalog.items():
            winner, shown = next((other, texts[key]) for other, _ours_too, texts in loaded if key in texts)
            if text == shown or (_msgid(key) in known and "surveys" in (name, winner)):
                continue
            clashes.setdefault(key, {})[winner] = shown
            clashes[key][name] = text
    return clashes


def test_the_catalogues_agree_on_every_translation():
    assert {"main", "surveys", "assessments", "followup", "django.contrib.admin"} <= {name for name, _mo in _catalogues()}
    clashes = _clashes(known=KNOWN_SURVEYS_CLASHES)
    lines = [f"{_show(key)}: " + " / ".join(f"{name} {text!r}" for name, text in by.items())
             for key, by in sorted(clashes.items(), key=str)]
    assert not clashes, "The same text is translated differently (give it a context, or use one term):\n" + "\n".join(lines)


def test_every_known_surveys_clash_still_clashes():
    """A fixed entry must leave KNOWN_SURVEYS_CLASHES, so that the set never hides a new clash."""
    with_surveys = {_msgid(key) for key, by in _clashes().items() if "surveys" in by}
    stale = sorted(KNOWN_SURVEYS_CLASHES - with_surveys)
    assert not stale, f"No longer a clash: remove from KNOWN_SURVEYS_CLASHES: {stale}"


ENTRY_SEPARATOR = re.compile(r"\n[ \t]*\n")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _problems(po: Path, root: Path = PACKAGE) -> list[str]:
    """Fuzzy and untranslated entries: a fuzzy entry is not used, an untranslated one shows English."""
    problems = []
    for block in ENTRY_SEPARATOR.split(po.read_text(encoding="utf-8").strip()):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]  # obsolete: not compiled
        fields, current = {}, None
        for line in lines:
            if line.startswith('"') and current:
                fields[current] += "".join(STRING.findall(line))
            elif not line.startswith("#") and " " in line:
                current, _space, rest = line.partition(" ")
                fields[current] = "".join(STRING.findall(rest))
        if "msgid" not in fields:
            continue
        if fields["msgid"] == "" and "msgctxt" not in fields:
            continue  # the header
        name = f"{po.relative_to(root)}: {fields['msgid'][:60]!r}"
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            problems.append(f"{name} is fuzzy")
        if any(value == "" for field, value in fields.items() if field.startswith("msgstr")):
            problems.append(f"{name} is not translated")
    return problems


def test_no_catalogue_has_fuzzy_or_untranslated_entries():
    catalogues = sorted(PACKAGE.glob(f"**/locale/{LANGUAGE}/LC_MESSAGES/django.po"))
    assert len(catalogues) >= 9
    problems = [problem for po in catalogues for problem in _problems(po)]
    assert not problems, "\n".join(problems)


def test_the_hygiene_check_sees_fuzzy_and_untranslated_entries(tmp_path):
    sample = tmp_path / "django.po"
    sample.write_text(
        'msgid ""\nmsgstr ""\n"Language: vi\\n"\n\n'
        '#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "Chào %(name)s"\n\n'
        'msgctxt "plan"\nmsgid "Target"\nmsgstr ""\n\n'
        'msgid ""\n"Long"\nmsgstr ""\n"Dài"\n\n'
        'msgid "Say \\"hi\\""\nmsgstr "Nói \\"chào\\""\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] ""\n\n'
        '#~ msgid "Old"\n#~ msgstr ""\n',
        encoding="utf-8",
    )
    assert _problems(sample, root=tmp_path) == [
        "django.po: 'Hello %(name)s' is fuzzy", "django.po: 'Target' is not translated", "django.po: 'One' is not translated",
    ]
