"""The README's code example runs as written."""

from __future__ import annotations

import re

import pytest

from chaindb.admin import project_root


def test_readme_python_example_runs(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    readme = (project_root() / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "the README has a python example"
    monkeypatch.setenv("DATABASE_URL", db_url)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    assert "CD002 transactions_idempotency_key_key" in capsys.readouterr().out


def test_readme_links_every_schema_reference_page() -> None:
    from chaindb.admin import available_schemas

    readme = (project_root() / "README.md").read_text()
    for schema in [*available_schemas(), "common"]:
        assert f"](docs/{schema}.md)" in readme, f"README does not link docs/{schema}.md"
        assert (project_root() / "docs" / f"{schema}.md").exists()


def test_readme_stands_alone() -> None:
    """The repository is all a reader has: no links out of it to the planning folder."""
    readme = (project_root() / "README.md").read_text()
    assert "../shared" not in readme and "DESIGN.md" not in readme
