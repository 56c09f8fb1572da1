"""A new landing file's one pass at the edge: hash, compression by magic bytes, gzip integrity,
UTF-8, and so the reader the engine uses."""

import gzip
import hashlib

import pytest

from jobs.ingest.inspection import Reader, compression_of, inspect_file

TEXT = b'{"n": 1}\n{"n": 2}\n'


FILES = [  # name, content, compression, problem, reader
    ("plain.json", TEXT, None, None, Reader.TEXT),
    ("latin1.json", b'{"n": "caf\xe9"}\n', None, None, Reader.BYTES),
    ("plain.json.gz", TEXT, None, None, Reader.TEXT),  # the name says gzip, the bytes do not
    ("text.json.gz", gzip.compress(TEXT), "gzip", None, Reader.GZIP_TEXT),
    ("unnamed.json", gzip.compress(TEXT), "gzip", None, Reader.GUNZIPPED_HERE),
    ("latin1.json.gz", gzip.compress(b'{"n": "caf\xe9"}\n'), "gzip", None, Reader.GUNZIPPED_HERE),
    ("two-members.json.gz", gzip.compress(b'{"n": 1}\n') + gzip.compress(b'{"n": 2}\n'), "gzip", None,
     Reader.GZIP_TEXT),
    ("truncated.json.gz", gzip.compress(TEXT * 100)[:-9], "gzip", "cannot decompress", Reader.GZIP_TEXT),
    ("corrupt.json.gz", gzip.compress(TEXT)[:10] + b"\x00" * 20, "gzip", "cannot decompress", Reader.GZIP_TEXT),
    ("archive.json", b"PK\x03\x04" + b"\x00" * 30, "zip", "zip-compressed content", Reader.BYTES),
    ("bzip.json", b"BZh91AY&SY" + b"\x00" * 10, "bzip2", "bzip2-compressed content", Reader.BYTES),
    ("text-starting-bzh.json", b"BZh is not JSON\n", None, None, Reader.TEXT),
]


# ids by name: a gzip stream's bytes hold the time it was made, which would differ between workers
@pytest.mark.parametrize(("name", "content", "compression", "problem", "reader"), FILES, ids=[f[0] for f in FILES])
def test_a_file_is_known_by_its_bytes_not_its_name(tmp_path, name, content, compression, problem, reader):
    path = tmp_path / name
    path.write_bytes(content)
    inspection = inspect_file(path)
    assert inspection.sha256 == hashlib.sha256(content).hexdigest()  # the whole file, whatever it holds
    assert inspection.compression == compression
    assert (inspection.problem or "").startswith(problem or "")
    assert bool(inspection.problem) == bool(problem)
    if problem is None:
        assert inspection.reader(name) is reader


def test_a_file_larger_than_a_chunk_is_hashed_and_checked_whole(tmp_path):
    content = b"".join(b'{"n": %d, "pad": "%s"}\n' % (i, b"x" * 200) for i in range(20_000))  # 4 MiB: chunks
    path = tmp_path / "big.json.gz"
    path.write_bytes(gzip.compress(content + b'{"n": "\xff"}\n'))
    inspection = inspect_file(path)
    assert inspection.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (inspection.problem, inspection.utf8) == (None, False)


def test_compression_by_magic_bytes():
    assert compression_of(b"\x1f\x8b\x08") == "gzip"
    assert compression_of(b"\x28\xb5\x2f\xfd\x00") == "zstd"
    assert compression_of(b"\xfd7zXZ\x00\x00") == "xz"
    assert compression_of(b'{"n": 1}') is None
    assert compression_of(b"") is None
