"""The knowledge base: every plan parsed, leads resolved, glossary assembled."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .agencies import AgencyResolver
from .glossary import Glossary
from .manifest import load_manifest
from .models import ActionRecord, Definition, PlanEntry, PlanError, PlanItem, Priority
from .sources import load_plan


@dataclass
class KnowledgeBase:
    plans: list[PlanEntry] = field(default_factory=list)
    priorities: list[Priority] = field(default_factory=list)
    actions: list[ActionRecord] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    glossary: Glossary = field(default_factory=Glossary)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def plan(self, plan_id: str) -> PlanEntry | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    def resolver(self) -> AgencyResolver:
        return AgencyResolver(self.glossary)

    def agency_rows(self) -> list[dict]:
        """One row per canonical agency with its aliases and how many actions it leads."""
        counts: dict[str, int] = {}
        for action in self.actions:
            for name in action.leads:
                counts[name] = counts.get(name, 0) + 1
        rows = []
        for name in sorted(set(counts) | set(self.glossary.agencies)):
            rows.append({"name": name, "aliases": self.glossary.agencies.get(name, []),
                         "actions": counts.get(name, 0)})
        return rows


def knowledge_files(knowledge_dir: Path) -> list[Path]:
    """The files whose content decides the index: manifest, glossary and every plan."""
    files = [knowledge_dir / "plans.toml", knowledge_dir / "glossary.toml"]
    plans_dir = knowledge_dir / "plans"
    if plans_dir.is_dir():
        files += sorted(p for p in plans_dir.iterdir() if p.is_file())
    return files


def content_hash(knowledge_dir: Path, extra: str = "") -> str:
    """Hash of the knowledge files and of the indexer's own code (a parser change rebuilds)."""
    digest = hashlib.sha256(extra.encode())
    for path in knowledge_files(knowledge_dir):
        digest.update(path.name.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    code_dir = Path(__file__).parent
    for path in sorted(code_dir.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_knowledge(knowledge_dir: Path) -> KnowledgeBase:
    """Parse every plan of the manifest. A bad plan is an error for that plan only."""
    glossary = Glossary.load(knowledge_dir / "glossary.toml")
    resolver = AgencyResolver(glossary)
    entries, manifest_errors = load_manifest(knowledge_dir / "plans.toml")
    kb = KnowledgeBase(glossary=glossary, errors=[str(e) for e in manifest_errors])
    definitions: dict[str, Definition] = {
        term: Definition(term, meaning, "glossary.toml") for term, meaning in glossary.acronyms.items()}
    for entry in entries:
        path = knowledge_dir / "plans" / entry.file
        try:
            parsed = load_plan(path, entry, resolver)
        except PlanError as exc:
            kb.errors.append(str(exc))
            continue
        except Exception as exc:  # a parser bug must not stop the other plans
            kb.errors.append(f"{entry.file}: could not be parsed ({type(exc).__name__}: {exc})")
            continue
        kb.plans.append(entry)
        kb.priorities += parsed.priorities
        kb.actions += parsed.actions
        kb.items += parsed.items
        kb.warnings += [str(w) for w in parsed.warnings]
        for definition in parsed.definitions:
            # A plan's own words beat the hand-written glossary; the newest plan comes first.
            current = definitions.get(definition.term)
            if current is None or current.source == "glossary.toml":
                definitions[definition.term] = definition
    kb.definitions = sorted(definitions.values(), key=lambda d: d.term.lower())
    kb.plans.sort(key=lambda p: (p.partnership, -p.start_year))
    return kb
