from jobs.contract import Rule
from jobs.ingest.accounts import parse_accounts_csv, snapshot_rows


def test_quoted_industries_line_numbers_and_rules():
    text = (
        "customer_id,industry,country,segment\n"
        'c1,"Communication, Media & Entertainment",KR,smb\n'
        "c2,Financial Services,US\n"
        ",Retail & Consumer Goods,US,smb\n"
        "c1,Financial Services,US,smb\n"
        "\n"
        "c3,Energy,FR,enterprise\n"
    )
    rows = parse_accounts_csv(text)
    assert [r.line_number for r in rows] == [2, 3, 4, 5, 6, 7]
    assert rows[0].industry == "Communication, Media & Entertainment" and rows[0].status == "accepted"
    assert (rows[1].reject_rule, rows[2].reject_rule, rows[3].reject_rule, rows[4].reject_rule) == (
        Rule.MALFORMED_CSV_ROW, Rule.MISSING_REQUIRED_FIELD, Rule.DUPLICATE_CUSTOMER, Rule.EMPTY_LINE,
    )
    assert rows[5].status == "accepted" and rows[5].industry == "Energy"
    assert rows[1].raw_line == "c2,Financial Services,US"


def test_missing_required_column_rejects_every_row():
    rows = parse_accounts_csv("customer_id,country\nc1,KR\nc2,US\n")
    assert {(r.reject_rule, r.reject_field) for r in rows} == {(Rule.MISSING_REQUIRED_FIELD, "industry")}


def test_a_snapshot_that_is_not_utf8_keeps_its_utf8_rows_and_quarantines_the_others_with_their_bytes():
    latin1 = "c2,Retail & Consumer Goods,FR,Soci\u00e9t\u00e9\r\n".encode("latin-1")
    data = ('customer_id,industry,country,segment\r\nc1,"Financial Services",KR,\u00e9lite\r\n'.encode()
            + latin1 + b"c3,Energy,US,smb\r\n")
    rows = snapshot_rows(data)
    assert [(r.line_number, r.status, r.reject_rule) for r in rows] == [
        (2, "accepted", None), (3, "quarantined", Rule.INVALID_ENCODING), (4, "accepted", None)]
    assert rows[0].segment == "\u00e9lite" and rows[0].raw_line == 'c1,"Financial Services",KR,\u00e9lite'
    assert rows[1].raw_bytes == latin1.rstrip(b"\r\n") and rows[1].customer_id is None
    assert rows[1].raw_line == "c2,Retail & Consumer Goods,FR,Soci\ufffdt\ufffd"
    assert rows[2].raw_bytes is None and rows[2].customer_id == "c3"
