from __future__ import annotations

import pytest

from emulators.salesforce import ids


@pytest.mark.parametrize(
    ("id15", "id18"),
    [
        # real ids published with their 18-character forms
        ("00558000001N0Ke", "00558000001N0KeAAK"),
        ("90630000000gy8o", "90630000000gy8oAAA"),
        ("012000000000000", "012000000000000AAA"),  # the master record type
    ],
)
def test_known_real_ids(id15: str, id18: str) -> None:
    assert ids.to_18(id15) == id18
    assert ids.is_valid_id(id15)
    assert ids.is_valid_id(id18)
    assert ids.to_18(id18) == id18


def test_checksum_bits_follow_uppercase_positions() -> None:
    # first chunk: uppercase at positions 0 and 4 -> bits 1 + 16 = 17 -> 'R'
    assert ids.checksum("AbcdEfghijklmno") == "RAA"
    # uppercase at position 3 of chunk 1 and position 1 of chunk 3 -> 'I', 'A', 'C'
    assert ids.checksum("001A0000006Vm9r") == "IAC"
    # all uppercase in every chunk -> 31 -> '5'
    assert ids.checksum("ABCDEFGHIJKLMNO") == "555"


def test_make_id_is_18_chars_with_prefix_and_valid_checksum() -> None:
    seen = set()
    for sequence in (1, 2, 61, 62, 3843, 916_132_831, ids.MAX_SEQUENCE):
        record_id = ids.make_id("001", sequence)
        assert len(record_id) == 18
        assert record_id.startswith("001")
        assert ids.is_valid_id(record_id)
        seen.add(record_id.lower())
    assert len(seen) == 7, "ids must stay unique even compared case-insensitively"


def test_make_id_sequence_is_base62_in_salesforce_order() -> None:
    assert ids.make_id("001", 1)[:15] == "0015g0000000001"
    assert ids.make_id("001", 10)[:15] == "0015g000000000A"
    assert ids.make_id("001", 36)[:15] == "0015g000000000a"
    assert ids.make_id("001", 62)[:15] == "0015g0000000010"


def test_invalid_ids() -> None:
    assert not ids.is_valid_id("00558000001N0KeAAA")  # wrong checksum
    assert not ids.is_valid_id("00558000001N0K")  # too short
    assert not ids.is_valid_id("00558000001N0K-")  # not alphanumeric
    assert not ids.is_valid_id("")
    with pytest.raises(ValueError, match="is not a Salesforce id"):
        ids.to_18("bad")
    with pytest.raises(ValueError, match="out of range"):
        ids.make_id("001", 0)
    with pytest.raises(ValueError, match="three letters or digits"):
        ids.make_id("01", 1)


def test_normalize_id_accepts_15_and_case_insensitive_18() -> None:
    assert ids.normalize_id("00558000001N0Ke") == "00558000001N0KeAAK"
    assert ids.normalize_id("00558000001N0KeAAK") == "00558000001N0KeAAK"
    assert ids.normalize_id("00558000001n0keaak") == "00558000001N0KeAAK"
    assert ids.normalize_id("00558000001N0KEAAK") == "00558000001N0KeAAK"
    assert ids.normalize_id("00558000001N0Ke!AK") is None
    assert ids.normalize_id("00558000001N0KeAA9") is None
    assert ids.normalize_id("0055800000") is None
    # a checksum bit set on a digit cannot come from a real id
    assert ids.normalize_id("000000000000000BAA") is None
