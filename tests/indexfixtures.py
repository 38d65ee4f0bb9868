"""Shared fixtures: the real knowledge base, parsed plans, and a built index in a temp dir."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.agencies import AgencyResolver
from indexer.glossary import Glossary
from indexer.index import open_index
from indexer.manifest import load_manifest
from indexer.sources import load_plan

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"


def parsed_plan(plan_id: str):
    """Parse one real plan by its manifest id."""
    entries, _ = load_manifest(KNOWLEDGE / "plans.toml")
    entry = next(e for e in entries if e.id == plan_id)
    resolver = AgencyResolver(Glossary.load(KNOWLEDGE / "glossary.toml"))
    return load_plan(KNOWLEDGE / "plans" / entry.file, entry, resolver)


def by_ref(parsed, ref: str, priority: str | None = None):
    """The one action of a parsed plan with this ref (and priority, where refs restart)."""
    found = [a for a in parsed.actions if a.ref == ref and (priority is None or a.priority == priority)]
    assert len(found) == 1, f"{len(found)} actions with ref {ref}"
    return found[0]


def copy_knowledge(target: Path) -> Path:
    """A private copy of knowledge/ that a test may break."""
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """The index of the real knowledge base, built once into a temp dir."""
    return open_index(KNOWLEDGE, tmp_path_factory.mktemp("index") / "index.db")


@pytest.fixture(scope="session")
def engine(real_index):
    return real_index.engine
