"""`make lint`'s clone detector (pylint's duplicate-code, configured in pyproject.toml) fails on a
block of six lines copied between two services, and lets five through."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BLOCK = [
    "    first = int(items[0]['amount'])",
    "    tripled = first * 3 + 7",
    "    shortened = tripled - len(items)",
    "    halved = shortened // 2 + first",
    "    squared = halved * halved - tripled",
    "    mixed = squared + shortened - first",
]


def _lint(tmp_path: Path, copied_lines: int) -> subprocess.CompletedProcess[str]:
    for number, service in enumerate(("billing_x", "catalog_x")):
        package = tmp_path / service
        package.mkdir()
        (package / "__init__.py").write_text('"""A package."""\n')
        body = "\n".join(BLOCK[:copied_lines])
        (package / "sums.py").write_text(
            f'"""Sums."""\n\n\ndef total(items: list[dict[str, str]]) -> int:\n'
            f"    own = {number} * len(items) - {number + 5}\n{body}\n    return own + {number}\n"
        )
    return subprocess.run(
        [sys.executable, "-m", "pylint", f"--rcfile={ROOT / 'pyproject.toml'}", "billing_x",
         "catalog_x"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_six_copied_lines_fail_the_lint(tmp_path: Path) -> None:
    result = _lint(tmp_path, 6)
    assert result.returncode != 0, result.stdout
    assert "duplicate-code" in result.stdout


def test_five_copied_lines_pass(tmp_path: Path) -> None:
    result = _lint(tmp_path, 5)
    assert result.returncode == 0, result.stdout
