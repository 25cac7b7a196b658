from chiso.formats.text import fold


def test_fold_drops_case_and_every_vietnamese_mark():
    assert fold("  Mã Đơn vị ") == "ma don vi"
    assert fold("Ủy ban nhân dân TP. Hồ Chí Minh") == "uy ban nhan dan tp. ho chi minh"
    assert fold("ĂÂÊÔƠƯđ") == "aaeooud"


def test_fold_reads_none_and_numbers():
    assert fold(None) == ""
    assert fold(2023) == "2023"
