"""The blocks (khối) every Vietnamese province ranks separately; a province may add more."""

import datetime

from django.db import migrations

BLOCKS = [
    ("department", "Sở, ban, ngành", "Departments and sectors", 10, None, None),
    ("central_agency", "Cơ quan Trung ương đóng trên địa bàn", "Central agencies in the province", 20, None, None),
    ("district", "Huyện, thành phố", "Districts and city", 30, None, datetime.date(2025, 6, 30)),
    ("commune", "Xã, phường, đặc khu", "Communes, wards and special zones", 40, datetime.date(2025, 7, 1), None),
]


def create_blocks(apps, schema_editor):
    Block = apps.get_model("units", "Block")
    for code, name_vi, name_en, order, valid_from, valid_to in BLOCKS:
        Block.objects.update_or_create(
            code=code,
            defaults={"name_vi": name_vi, "name_en": name_en, "order": order, "valid_from": valid_from, "valid_to": valid_to},
        )


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(create_blocks, migrations.RunPython.noop)]
