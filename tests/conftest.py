"""Shared fixtures: where the course's datasets are, and skipping when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """$LAYERWISE_DATA if set, else ../shared/data beside the repository, else None."""
    env = os.environ.get("LAYERWISE_DATA")
    for candidate in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def course1_dir() -> Path:
    """Folder holding train_catvnoncat.h5 and test_catvnoncat.h5, or skip."""
    base = shared_data_dir()
    for folder in ([base / "course1", base] if base else []):
        if (folder / "train_catvnoncat.h5").is_file() and (folder / "test_catvnoncat.h5").is_file():
            return folder
    pytest.skip("course-1 cat data not found: put train_catvnoncat.h5 and test_catvnoncat.h5 "
                "in ../shared/data/course1 or set LAYERWISE_DATA")


@pytest.fixture(scope="session")
def football_path() -> Path:
    """Path of the course-2 football data.mat, or skip."""
    base = shared_data_dir()
    for folder in ([base / "course2", base] if base else []):
        if (folder / "data.mat").is_file():
            return folder / "data.mat"
    pytest.skip("course-2 football data not found: put data.mat in ../shared/data/course2 "
                "or set LAYERWISE_DATA")
