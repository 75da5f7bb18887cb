"""Session fixtures: one `tracefork serve` (the built CLI) and one set of local model-API mocks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_models import MockModels, start_mock
from support import Serve, start_serve


@pytest.fixture(scope="session")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    s = start_serve(str(tmp_path_factory.mktemp("serve") / "traces.db"))
    yield s
    s.stop()


@pytest.fixture(scope="session")
def models() -> Iterator[MockModels]:
    m = start_mock()
    yield m
    m.close()
