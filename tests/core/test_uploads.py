import io
import zipfile

from django.core.files.uploadhandler import StopUpload

from chiso.core.uploads import (
    BoundedUploadHandler,
    archive_problems,
    document_type_detect,
    upload_max_bytes,
    upload_too_large,
)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_every_kind_has_a_limit_from_settings(settings):
    assert upload_max_bytes("units") == 5 * 1024 * 1024
    settings.CHISO_UPLOAD_MAX_BYTES = {"units": 1234}
    assert upload_max_bytes("units") == 1234
    assert upload_max_bytes("frame") == 20 * 1024 * 1024  # a kind the setting leaves out keeps its default


def test_the_refusal_names_the_size_the_limit_and_the_setting():
    assert upload_too_large("xlsform", 1000) is None
    message = upload_too_large("xlsform", 50 * 1024 * 1024)
    assert "50,0\xa0MB" in message and "5,0\xa0MB" in message
    assert "CHISO_UPLOAD_MAX_BYTES_XLSFORM" in message and "biểu mẫu XLSForm" in message


def test_a_plain_workbook_passes_the_archive_check():
    assert archive_problems(_zip({"xl/workbook.xml": b"<workbook/>" * 1000})) == []


def test_a_damaged_archive():
    assert archive_problems(b"PK\x03\x04garbage") == ["Tệp bị hỏng hoặc không phải là sổ tính Excel (.xlsx)."]


def test_a_member_that_expands_too_far():
    problems = archive_problems(_zip({"xl/worksheets/sheet1.xml": b"a" * (20 * 1024 * 1024)}))
    assert len(problems) == 1 and "CHISO_IMPORT_MAX_COMPRESSION_RATIO" in problems[0]


def test_small_members_may_compress_well():
    # styles and shared strings of real workbooks compress a hundredfold; only big members are bombs
    assert archive_problems(_zip({"xl/styles.xml": b"a" * 500_000})) == []


def test_the_total_expanded_size_is_bounded(settings):
    settings.CHISO_IMPORT_MAX_UNCOMPRESSED_BYTES = 1000
    problems = archive_problems(_zip({"a.xml": bytes(range(256)) * 4, "b.xml": bytes(range(256)) * 4}))
    assert len(problems) == 1 and "CHISO_IMPORT_MAX_UNCOMPRESSED_BYTES" in problems[0]


def test_too_many_members():
    problems = archive_problems(_zip({f"m{i}.xml": b"" for i in range(10_001)}))
    assert problems and "10001" in problems[0].replace(".", "")


def test_the_upload_handler_stops_past_its_limit(rf):
    request = rf.post("/")
    handler = BoundedUploadHandler(10, request=request)
    handler.new_file("file", "big.pdf", "application/pdf", 0)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    try:
        handler.receive_data_chunk(b"123456", 5)
    except StopUpload:
        pass
    else:
        raise AssertionError("the handler read past its limit")
    assert request._upload_too_large == "big.pdf"


def test_types_come_from_the_content_not_the_name():
    detected = document_type_detect("report.xlsx", b"%PDF-1.7\n")
    assert detected.extension == "pdf" and not detected.name_agrees
    assert document_type_detect("a.pdf", b"plain text") is None
