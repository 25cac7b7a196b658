"""Versions imported before frameworks carried a `sources:` section get the mapping the code used
to apply to them (Decision 766, PAR-SO, PAR-XA), so the figures they receive stay the same."""

from django.db import migrations

SHIPPED = {
    "QD766": {
        "service_statistics": {"sync_rate": ["G1.4"], "on_time_rate": ["G2.1"], "digitisation_rate": ["G3.1"],
                               "electronic_result_rate": ["G3.2"], "online_rate": ["G4.2"], "online_payment_rate": ["G4.3"]},
        "feedback": {"on_time_rate": ["G5.1"], "qd766_satisfaction_rate": ["G5.2"]},
    },
    "PAR-SO": {"service_statistics_evidence": {"on_time_rate": ["F3.3.2"], "digitisation_rate": ["F3.3.4"], "online_rate": ["F7.2.2"],
                                               "online_payment_rate": ["F7.2.3"], "electronic_result_rate": ["F7.2.4"]}},
    "PAR-XA": {"service_statistics_evidence": {"digitisation_rate": ["F3.3.3"], "online_rate": ["F7.2.1"],
                                               "online_payment_rate": ["F7.2.2"], "electronic_result_rate": ["F7.2.3"]}},
}


def fill(apps, schema_editor):
    FrameworkVersion = apps.get_model("frameworks", "FrameworkVersion")
    for code, sources in SHIPPED.items():
        for version in FrameworkVersion.objects.filter(framework__code=code, sources={}):
            codes = set(version.nodes.values_list("code", flat=True))
            kept = {source: {figure: [c for c in targets if c in codes] for figure, targets in mapping.items()}
                    for source, mapping in sources.items()}
            kept = {source: {f: t for f, t in mapping.items() if t} for source, mapping in kept.items()}
            version.sources = {source: mapping for source, mapping in kept.items() if mapping}
            version.save(update_fields=["sources"])


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0002_version_sources")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
