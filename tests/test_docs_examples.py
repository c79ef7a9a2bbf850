"""Every ```python block of docs/**/*.md and README.md runs, so no example rots.

Each block runs on its own (a fresh namespace, in a fresh temporary working directory),
one test per block, named FILE:LINE. Lines ``print(...)  # -> TEXT`` are checked: TEXT
must appear in what the block printed.

Two markers, on a block's first line, change that; both show in the rendered page:

- ``# needs the course data`` — the block reads the course's files: it runs with
  $LAYERWISE_DATA set to ../shared/data, and skips with that reason when it is absent.
- ``# not run: REASON`` — the block is deliberately not runnable (a fragment, or a
  service this machine cannot be assumed to have); it is skipped with REASON. Use it
  sparingly: prefer a block that runs.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)\s*$")
EXPECTED = re.compile(r"^\s*print\(.*\)\s*#\s*->\s*(?P<text>.+?)\s*$")
NOT_RUN = re.compile(r"^#\s*not run:\s*(?P<reason>.+)$")
NEEDS_DATA = "# needs the course data"
#: Peers that are not in the test extra (CI installs them best effort): a block that
#: imports one skips when it is absent.
OPTIONAL_PEERS = ("torch",)
#: (file, a line of the block) -> why it fails today: an expected failure, strict, so the
#: test fails as soon as the block is fixed and the entry must go.
KNOWN_BROKEN: dict[tuple[str, str], str] = {}


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """(line of the opening fence, code) of each ```python block of the Markdown file."""
    blocks, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        indent, start, body = len(opening["indent"]), i + 1, []
        i += 1
        while i < len(lines) and not FENCE.match(lines[i]):
            body.append(lines[i][indent:])
            i += 1
        if opening["lang"] == "python":
            blocks.append((start, "\n".join(body) + "\n"))
        i += 1
    return blocks


def collect() -> list:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    params = []
    for path in files:
        for line, code in python_blocks(path):
            name, marks = f"{path.relative_to(ROOT)}:{line}", []
            for (file, text), reason in KNOWN_BROKEN.items():
                if file == str(path.relative_to(ROOT)) and text in code:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
            params.append(pytest.param(code, id=name, marks=marks))
    return params


def test_the_collector_finds_fences_and_their_lines(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "text\n```python\nx = 1\n```\n\n  ```bash\n  ls\n  ```\n  ```python\n  y = 2\n  ```\n"
    )
    assert python_blocks(page) == [(2, "x = 1\n"), (9, "y = 2\n")]


@pytest.mark.parametrize("code", collect())
def test_block_runs(code, tmp_path, monkeypatch, capsys):
    first = code.lstrip().splitlines()[0] if code.strip() else ""
    not_run = NOT_RUN.match(first)
    if not_run:
        pytest.skip(f"marked not run: {not_run['reason']}")
    if first.startswith(NEEDS_DATA):
        if not DATA.is_dir():
            pytest.skip(f"needs the course data in {DATA}")
        monkeypatch.setenv("LAYERWISE_DATA", str(DATA))
    for peer in OPTIONAL_PEERS:
        if re.search(rf"^\s*(import|from) {peer}\b", code, re.MULTILINE):
            pytest.importorskip(peer, reason=f"the block uses {peer}, not installed here")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.chdir(tmp_path)
    with threadpool_limits(1):  # one BLAS thread: small products stay fast on busy cores
        exec(compile(code, "<docs block>", "exec"), {"__name__": "__docs__"})  # noqa: S102
    printed = capsys.readouterr().out
    for line in code.splitlines():
        expected = EXPECTED.match(line)
        if expected:
            assert expected["text"] in printed, f"expected {expected['text']!r} in:\n{printed}"


def test_getting_started_has_the_readmes_two_commands_verbatim():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    page = (ROOT / "docs" / "getting-started.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2, commands
    for command in commands:
        assert f"```bash\n{command}\n```" in page, command
