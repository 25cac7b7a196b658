"""The counts a one-stop-shop export gives per unit and period, with the Vietnamese headers of
the standard format. One list shared by the model, the import, the column mappings and pages."""

from django.utils.translation import gettext_lazy as _

# field, Vietnamese header of the standard format, label
COUNT_FIELDS = [
    ("received_online_full", "Tiếp nhận trực tuyến toàn trình", _("Received online (full process)")),
    ("received_online_partial", "Tiếp nhận trực tuyến một phần", _("Received online (partial)")),
    ("received_in_person", "Tiếp nhận trực tiếp", _("Received in person")),
    ("received_post", "Tiếp nhận qua bưu chính", _("Received by post")),
    ("processed_early", "Giải quyết trước hạn", _("Settled early")),
    ("processed_on_time", "Giải quyết đúng hạn", _("Settled on time")),
    ("processed_late", "Giải quyết quá hạn", _("Settled late")),
    ("pending", "Đang giải quyết", _("Pending")),
    ("digitised", "Hồ sơ được số hóa", _("Dossiers digitised")),
    ("results_electronic", "Kết quả điện tử", _("Results issued electronically")),
    ("fee_bearing", "Hồ sơ có phí, lệ phí", _("Dossiers with fees or charges")),
    ("paid_online", "Thanh toán trực tuyến", _("Paid online")),
    ("synced", "Đồng bộ Cổng DVCQG", _("Synchronised to the National Public Service Portal")),
]
UNIT_FIELD = ("unit", "Đơn vị", _("Unit (code or name)"))
OPTIONAL = {"fee_bearing"}  # without it the online-payment rate is unknown
FIELD_NAMES = [name for name, _h, _l in COUNT_FIELDS]
STANDARD_MAPPING = {UNIT_FIELD[0]: UNIT_FIELD[1], **{name: header for name, header, _l in COUNT_FIELDS}}
