"""create_app() once per process: the same build gives the same app, another build is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_a_second_create_app_returns_the_first_app_or_refuses(dash_app, build_folder, tmp_path):
    from dashboard import create_app

    assert create_app(build_folder) is dash_app
    with pytest.raises(RuntimeError, match="once|already"):
        create_app(tmp_path)
