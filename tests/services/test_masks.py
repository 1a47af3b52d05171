"""The masks pages and exports share (services/access.py), as a table: 张**, 138****5678,
an ID number's ends, an address cut after the building."""

import pytest

from services.access import mask_address, mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        (" 13812345678 ", "138****5678"),
        ("138 1234 5678", "138****5678"),  # as typed: still the first three and last four
        ("04716281234", "047****1234"),  # a landline with its area code
        ("+8613812345678", "+86****5678"),
        ("6281234", "*****34"),  # a short number: more hidden than shown
        ("12345", "***45"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_phones(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张丽", "张*"),  # two characters: the convention's 张*, as Hutool's chineseName
        ("欧阳娜娜", "欧***"),  # a compound surname keeps only its first character
        ("乌云其其格", "乌****"),
        (" 王芳 ", "王*"),
        ("张", "*"),  # one character would be the whole name
        ("", ""),
    ],
)
def test_names(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("15010219400101123X", "1***************3X"),
        ("150102194001011", "1************11"),  # the old 15-digit number
        ("123", "***"),
        ("", ""),
    ],
)
def test_id_numbers(number, masked):
    assert mask_id_number(number) == masked
    assert len(mask_id_number(number)) == len(number)


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("学府康都5号楼2单元301", "学府康都5号楼****"),
        ("四千米社区3栋2单元501", "四千米社区3栋****"),
        ("金川小区12幢302室", "金川小区12幢****"),
        ("锡林南路万达广场B座1808", "锡林南路万达广场B座****"),
        ("大学西路45号院3号楼1单元", "大学西路45号院3号楼****"),  # the building, not the 院
        ("幸福里三号楼二单元六号", "幸福里三号楼****"),  # Chinese numerals
        ("幸福里小区2单元402", "幸福里小区2单元****"),  # a unit where no building is named
        ("四千米社区７号楼301", "四千米社区７号楼****"),  # full-width digits
        ("新华大街123号", "新华大街****"),  # no building: up to the house number
        ("大召前街12号院5排3号", "大召前街****"),
        ("城南村东头老李家", "城南****"),  # no number at all: the first third
        ("学府康都5号楼", "学府康都5号楼"),  # nothing after the building to hide
        ("", ""),
    ],
)
def test_addresses(address, masked):
    assert mask_address(address) == masked
