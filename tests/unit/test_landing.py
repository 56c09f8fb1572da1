from datetime import date

import pytest

from jobs.ingest.landing import list_landing


def test_lists_contract_files_and_reports_strays(tmp_path):
    (tmp_path / "events/date=2024-03-01").mkdir(parents=True)
    (tmp_path / "events/date=2024-03-01/part-0.json").write_text("{}\n")
    (tmp_path / "events/date=2024-03-01/late.json.gz").write_bytes(b"")
    (tmp_path / "events/date=2024-03-01/part-1.json.tmp").write_text("in flight")
    (tmp_path / "events/date=2024-03-01/notes.txt").write_text("?")
    (tmp_path / "events/2024-03-02").mkdir(parents=True)
    (tmp_path / "events/2024-03-02/part-0.json").write_text("{}\n")
    (tmp_path / "accounts/snapshot=2024-01-01").mkdir(parents=True)
    (tmp_path / "accounts/snapshot=2024-01-01/a.csv").write_text("customer_id,industry\n")
    (tmp_path / "_manifest").mkdir()
    (tmp_path / "_manifest/generation.json").write_text("{}")
    files, strays = list_landing(tmp_path)
    assert [f.path for f in files] == [
        "events/date=2024-03-01/late.json.gz",
        "events/date=2024-03-01/part-0.json",
        "accounts/snapshot=2024-01-01/a.csv",
    ]
    assert files[0].compressed and files[0].partition_date == date(2024, 3, 1)
    assert files[2].kind == "accounts"
    assert sorted(s.path for s in strays) == ["events/2024-03-02/part-0.json", "events/date=2024-03-01/notes.txt"]


# Both ways of reading a batch (one scan per file; one scan of the batch), on both engines.
READERS = [("spark", False), ("spark", True), pytest.param("sail", False, marks=pytest.mark.sail),
           pytest.param("sail", True, marks=pytest.mark.sail)]


@pytest.mark.parametrize(("engine", "one_scan"), READERS)
def test_empty_files_in_a_batch_do_not_disturb_the_others(tmp_path, engines, engine, one_scan):
    from jobs.ingest.landing import read_lines

    expected = {}
    for day in range(1, 31):
        folder = tmp_path / f"events/date=2024-03-{day:02d}"
        folder.mkdir(parents=True)
        lines = [f'{{"n": {i}}}' for i in range(day % 7 * 3)]  # every seventh file is empty
        name = "part 0.json" if day % 2 else "part-0.json"  # a space in a name is a contract name too
        (folder / name).write_text("".join(line + "\n" for line in lines))
        expected[f"events/date=2024-03-{day:02d}/{name}"] = len(lines)
    gzipped = write_gzip(tmp_path / "events/date=2024-03-30/more.json.gz", '{"n": 1}\r\n{"n": 2}\r\n')
    expected[gzipped] = 2
    files, _ = list_landing(tmp_path)
    spark = engines.handle(engine).session()
    rows = read_lines(spark, tmp_path, files, one_scan).groupBy("file_path").count().collect()
    assert {r.file_path: r["count"] for r in rows} == {k: v for k, v in expected.items() if v}


def write_gzip(path, text: str) -> str:
    """Write `text` gzip-compressed; return its landing-relative path."""
    import gzip

    path.write_bytes(gzip.compress(text.encode()))
    return path.relative_to(path.parents[2]).as_posix()


@pytest.mark.parametrize(("engine", "one_scan"), READERS)
def test_a_big_file_is_read_once_with_exact_line_numbers(tmp_path, engines, engine, one_scan):
    from jobs.ingest.landing import read_lines

    folder = tmp_path / "events/date=2024-03-01"
    folder.mkdir(parents=True)
    # Larger than the size at which engines split a scan into ranges (DataFusion: 10 MiB).
    count = 110_000
    (folder / "big.json").write_text("".join(f'{{"n": {i}, "pad": "{"x" * 100}"}}\n' for i in range(count)))
    files, _ = list_landing(tmp_path)
    lines = read_lines(engines.handle(engine).session(), tmp_path, files, one_scan)
    stats = lines.selectExpr(
        "count(*) as n", "count(distinct line_number) as d", "min(line_number) as lo", "max(line_number) as hi",
        "sum(cast(cast(get_json_object(raw_line, '$.n') as bigint) + 1 = line_number as int)) as in_place",
    ).first()
    assert (stats.n, stats.d, stats.lo, stats.hi, stats.in_place) == (count, count, 1, count, count)


@pytest.mark.parametrize(("engine", "one_scan"), READERS)
def test_a_byte_order_mark_crlf_and_no_final_newline_leave_the_lines_as_written(tmp_path, engines, engine, one_scan):
    import gzip

    from jobs.ingest.landing import read_lines

    folder = tmp_path / "events/date=2024-03-01"
    folder.mkdir(parents=True)
    content = '\ufeff{"n": 1}\r\n{"n": 2}\r\n\r\n{"n": "\ufeff"}'.encode()  # a mark inside a line is data
    (folder / "windows.json").write_bytes(content)
    (folder / "windows.json.gz").write_bytes(gzip.compress(content))
    (folder / "plain.json").write_bytes(b'{"n": 1}\n')
    files, _ = list_landing(tmp_path)
    rows = read_lines(engines.handle(engine).session(), tmp_path, files, one_scan).collect()
    found = {(r.file_path.rsplit("/", 1)[1], r.line_number): r.raw_line for r in rows}
    written = {1: '{"n": 1}', 2: '{"n": 2}', 3: "", 4: '{"n": "\ufeff"}'}
    assert found == {**{("windows.json", n): line for n, line in written.items()},
                     **{("windows.json.gz", n): line for n, line in written.items()},
                     ("plain.json", 1): '{"n": 1}'}


def test_an_accounts_snapshot_with_a_byte_order_mark_keeps_its_header():
    from jobs.ingest.accounts import snapshot_rows

    rows = snapshot_rows("\ufeffcustomer_id,industry\nc-1,retail\n".encode())
    assert [(r.status, r.customer_id, r.industry) for r in rows] == [("accepted", "c-1", "retail")]


def _files(*paths: str):
    from jobs.ingest.landing import LandingFile

    files = []
    for path in paths:
        kind, folder = path.split("/")[:2]
        files.append(LandingFile(path, kind, date.fromisoformat(folder.split("=")[1]), 1, 0))
    return files


def test_a_day_takes_the_newest_snapshot_on_or_before_it_else_the_earliest_delivered():
    from jobs.ingest.landing import files_for_day

    files = _files("events/date=2024-03-01/a.json", "events/date=2024-03-09/a.json",
                   "accounts/snapshot=2024-03-05/a.csv", "accounts/snapshot=2024-03-05/b.csv",
                   "accounts/snapshot=2024-04-01/a.csv")
    taken = lambda day: [f.path for f in files_for_day(files, day)]  # noqa: E731
    # before every snapshot: the earliest delivered (both its files), events up to the day
    assert taken(date(2024, 3, 1)) == ["events/date=2024-03-01/a.json", "accounts/snapshot=2024-03-05/a.csv",
                                       "accounts/snapshot=2024-03-05/b.csv"]
    # on and after a snapshot's date: the snapshots dated up to the day (the newest wins in refine)
    assert taken(date(2024, 3, 9))[-2:] == ["accounts/snapshot=2024-03-05/a.csv", "accounts/snapshot=2024-03-05/b.csv"]
    assert "accounts/snapshot=2024-04-01/a.csv" in taken(date(2024, 4, 1))
    # no snapshot at all: events only
    assert [f.path for f in files_for_day(files[:2], date(2024, 3, 9))] == [f.path for f in files[:2]]


def test_the_snapshot_choice_names_its_rule():
    from jobs.ingest.landing import accounts_snapshot_choice

    march, april = date(2024, 3, 5), date(2024, 4, 1)
    assert accounts_snapshot_choice(None, march).rule == "none"
    assert accounts_snapshot_choice(march, None).rule == "newest"
    assert accounts_snapshot_choice(march, april).rule == "on_or_before"
    after = accounts_snapshot_choice(april, march)
    assert after.rule == "earliest_after"
    assert after.text == ("accounts snapshot 2024-04-01, dated after the run date 2024-03-05: no snapshot is dated "
                          "on or before it, so the earliest delivered is used")
