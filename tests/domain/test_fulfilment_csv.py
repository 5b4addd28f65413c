"""The brand's tracking-number CSV: read line by line, every problem named with its line."""

from __future__ import annotations

from domain.shop.errors import FulfilmentError
from domain.shop.fulfilment import MAX_CSV_LINES, parse_tracking_csv


def test_a_header_blank_lines_and_a_byte_order_mark_are_fine() -> None:
    text = "\ufefforder_id,carrier,tracking_number\n\n12, DHL , JD 0146 0000 3828\n#13,Deutsche Post,RR123456785DE\n"
    lines, problems = parse_tracking_csv(text.encode())
    assert problems == []
    assert [(line.line, line.order_id, line.carrier, line.tracking) for line in lines] == [
        (3, 12, "DHL", "JD014600003828"),
        (4, 13, "Deutsche Post", "RR123456785DE"),
    ]


def test_each_bad_line_is_reported_with_its_number() -> None:
    text = "12,DHL,JD014600003828\nnot a line\n12,UPS,1Z999AA1\n14,,JD014600003829\n15,DHL,<script>\n"
    lines, problems = parse_tracking_csv(text.encode())
    assert [line.order_id for line in lines] == [12]
    assert [(problem.line, problem.code) for problem in problems] == [
        (2, FulfilmentError.CSV_BAD_LINE),
        (3, FulfilmentError.CSV_DUPLICATE),
        (4, FulfilmentError.BAD_CARRIER),
        (5, FulfilmentError.BAD_TRACKING),
    ]
    assert problems[1].params == {"number": 12, "line": 1}


def test_an_empty_a_binary_or_a_huge_file_is_refused_as_a_whole() -> None:
    assert [p.code for p in parse_tracking_csv(b"order_id,carrier,tracking_number\n")[1]] == [FulfilmentError.CSV_EMPTY]
    assert [p.code for p in parse_tracking_csv(b"\xff\xfe\x00")[1]] == [FulfilmentError.CSV_BAD_LINE]
    huge = "".join(f"{n},DHL,JD{n:010d}\n" for n in range(1, MAX_CSV_LINES + 3)).encode()
    assert [p.code for p in parse_tracking_csv(huge)[1]] == [FulfilmentError.CSV_TOO_BIG]
