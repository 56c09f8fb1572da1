"""An S3-compatible store (s3proxy, tests/servers) started once per test session, with the
credentials its clients take from the standard chain set in this process's environment."""

from __future__ import annotations

import os

import pytest

from tests.servers.s3proxy import S3Proxy


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    server = S3Proxy(tmp_path_factory.mktemp("s3proxy")).start()
    saved = {k: os.environ.get(k) for k in server.credentials_env}
    os.environ.update(server.credentials_env)  # deltalake and s3fs in this process read them there
    try:
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
