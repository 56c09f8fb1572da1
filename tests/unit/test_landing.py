from datetime import date

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
