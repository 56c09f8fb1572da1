"""The daily benchmark's history: every day of the landing zone but the last, as hard links."""

from datetime import date

from benchmarks.daily import _history_landing


def test_the_history_is_every_day_but_the_last(tmp_path):
    full = tmp_path / "full"
    for day in ("2024-05-17", "2024-05-18", "2024-05-19"):
        (full / "events" / f"date={day}").mkdir(parents=True)
        (full / "events" / f"date={day}" / "part-0000.json").write_text(f'{{"day": "{day}"}}\n')
    (full / "accounts" / "snapshot=2024-05-01").mkdir(parents=True)
    (full / "accounts" / "snapshot=2024-05-01" / "accounts.csv").write_text("customer_id\n")

    last_day, last_folder = _history_landing(full, tmp_path / "history")

    assert last_day == date(2024, 5, 19) and last_folder == full / "events" / "date=2024-05-19"
    history = tmp_path / "history"
    assert sorted(p.name for p in (history / "events").iterdir()) == ["date=2024-05-17", "date=2024-05-18"]
    linked = history / "events" / "date=2024-05-18" / "part-0000.json"
    assert linked.stat().st_ino == (full / "events" / "date=2024-05-18" / "part-0000.json").stat().st_ino
    assert (history / "accounts" / "snapshot=2024-05-01" / "accounts.csv").is_file()
