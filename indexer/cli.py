"""``cspbot``: the command line, a thin layer over the indexer and the search engine.

    cspbot index [--knowledge DIR] [--db PATH] [--strict] [--rebuild]
    cspbot actions --json
    cspbot ask [--json] "QUESTION" | cspbot ask --json --batch FILE
    cspbot chat                      local terminal chat (no Telegram needed)
    cspbot run [--config PATH]       the Telegram bot
    cspbot add FILE --partnership NAME --period 2025/26 [--title T]
    cspbot check FILE
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .index import DEFAULT_DB, DEFAULT_KNOWLEDGE, open_index
from .models import PlanError


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--knowledge", type=Path, default=DEFAULT_KNOWLEDGE, help="knowledge folder (plans.toml, plans/)")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="index database path")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cspbot", description="Who leads which commitment in the partnership plans.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("index", help="build the index and print a summary")
    _common(p)
    p.add_argument("--strict", action="store_true", help="exit non-zero on any warning or error")
    p.add_argument("--rebuild", action="store_true", help="rebuild even when the index is current")

    p = sub.add_parser("actions", help="print every indexed action")
    _common(p)
    p.add_argument("--json", action="store_true", help="one JSON object a line")

    p = sub.add_parser("ask", help="ask a question")
    _common(p)
    p.add_argument("question", nargs="?", help="the question")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--batch", type=Path, help="file with one question a line")
    p.add_argument("--limit", type=int, default=5, help="results per answer")

    p = sub.add_parser("chat", help="local chat in the terminal, same replies as the bot")
    _common(p)

    p = sub.add_parser("run", help="run the Telegram bot")
    _common(p)
    p.add_argument("--config", type=Path, default=Path("config.toml"))
    p.add_argument("--fallback-chat", action="store_true",
                   help="start the local chat instead when no token is configured")

    p = sub.add_parser("add", help="add a plan file (.txt, .docx, .pdf) to the knowledge base")
    _common(p)
    p.add_argument("file", type=Path)
    p.add_argument("--partnership", required=True)
    p.add_argument("--period", required=True)
    p.add_argument("--title")

    p = sub.add_parser("check", help="dry-run a plan file: what would be indexed, and suspicious rows")
    p.add_argument("file", type=Path)
    p.add_argument("--partnership", default="(check)")
    p.add_argument("--period", default="2000/01")
    return parser


def cmd_index(args) -> int:
    index = open_index(args.knowledge, args.db, rebuild=args.rebuild)
    kb, report = index.kb, index.report
    print(f"{'built' if report.built else 'loaded (unchanged)'} {args.db} in {report.seconds:.2f}s")
    print(f"{'plan':<14}{'period':<9}{'partnership':<24}{'priorities':>10}{'actions':>9}  file")
    for plan in kb.plans:
        priorities = sum(1 for p in kb.priorities if p.plan == plan.id)
        actions = sum(1 for a in kb.actions if a.plan == plan.id)
        print(f"{plan.id:<14}{plan.period:<9}{plan.partnership:<24}{priorities:>10}{actions:>9}  {plan.file}")
    print(f"total: {len(kb.plans)} plans, {len(kb.priorities)} priorities, {len(kb.actions)} actions, "
          f"{len(kb.items)} plan-level items, {len(kb.definitions)} glossary terms")
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for error in report.errors:
        print(f"error: {error}", file=sys.stderr)
    if args.strict and (report.warnings or report.errors):
        return 1
    return 0


def cmd_actions(args) -> int:
    index = open_index(args.knowledge, args.db)
    for action in index.kb.actions:
        if args.json:
            print(json.dumps(action.to_json(), ensure_ascii=False))
        else:
            print(f"{action.period} {action.ref:>6}  {action.action[:70]:<70}  {action.lead[:40]}")
    return 0


def cmd_ask(args) -> int:
    if not args.question and not args.batch:
        print("cspbot ask: give a QUESTION or --batch FILE", file=sys.stderr)
        return 2
    index = open_index(args.knowledge, args.db)
    if args.batch:
        try:
            questions = args.batch.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            print(f"cspbot ask: cannot read {args.batch}: {exc.strerror}", file=sys.stderr)
            return 2
    else:
        questions = [args.question]
    for question in questions:
        if args.batch and not question.strip():
            continue
        answer = index.engine.ask(question, limit=args.limit)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(answer.text())
            if args.batch:
                print()
    return 0


def cmd_chat(args) -> int:
    from .chat import run_chat
    return run_chat(open_index(args.knowledge, args.db))


def cmd_run(args) -> int:
    from bot.main import run_from_cli
    return run_from_cli(args)


def cmd_add(args) -> int:
    from .documents import add_plan
    return add_plan(args)


def cmd_check(args) -> int:
    from .documents import check_plan
    return check_plan(args)


COMMANDS = {"index": cmd_index, "actions": cmd_actions, "ask": cmd_ask, "chat": cmd_chat, "run": cmd_run,
            "add": cmd_add, "check": cmd_check}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args) or 0
    except PlanError as exc:
        print(f"cspbot {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
