"""create_app() once per process: the same build gives the same app, another build is refused."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_a_second_create_app_returns_the_first_app_or_refuses(dash_app, tmp_path):
    import dashboard
    from dashboard import create_app

    first_folder, app = dashboard._created  # the first build this process served (tests: real or synthetic)
    assert app is dash_app and create_app(first_folder) is dash_app
    with pytest.raises(RuntimeError, match="once|already"):
        create_app(tmp_path)
