"""Admin commands: /reload (rebuild the index without a restart), /stats, /reports."""
from __future__ import annotations

import asyncio
import html
import logging

from telegram import Update
from telegram.ext import ContextTypes

from indexer.models import PlanError

from .access import admin_only
from .context import SEARCH_KEY, search_index, services
from .loadedindex import LoadedIndex, load_index
from .replies import send_reply

log = logging.getLogger(__name__)


def esc(text) -> str:
    return html.escape(str(text), quote=False)


@admin_only
async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Rebuild the index from knowledge/ in a worker thread, then swap it in whole.

    Questions keep being answered from the old index while the new one builds; a failed build
    leaves the old one in place.
    """
    svc = services(context)
    if svc.reload_lock.locked():
        await send_reply(update, context, "A reload is already running.")
        return
    async with svc.reload_lock:
        storage = svc.config.storage
        await send_reply(update, context, f"Rebuilding the index from {esc(storage.knowledge_dir.name)}/ …")
        notes: list[str] = []
        try:
            index = await asyncio.to_thread(load_index, storage.knowledge_dir, storage.index_db, True, notes.append)
        except PlanError as exc:
            await send_reply(update, context, f"Reload failed; still answering from the previous index.\n{esc(exc)}")
            return
        except Exception:  # noqa: BLE001 - any failure must leave the old index serving
            log.exception("reload failed")
            await send_reply(update, context, "Reload failed (see the log); still answering from the previous index.")
            return
        context.bot_data[SEARCH_KEY] = LoadedIndex(index)  # the swap: one assignment
        report = index.report
        lines = [f"Reloaded in {report.seconds:.1f}s: {esc(search_index(context).summary())}."]
        if report.warnings:
            lines.append(f"{len(report.warnings)} warning(s), e.g. {esc(report.warnings[0])}")
        if report.errors:
            lines.append(f"{len(report.errors)} error(s), e.g. {esc(report.errors[0])}")
        await send_reply(update, context, "\n".join(lines))


@admin_only
async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Questions answered and unanswered, feedback counts, the latest unanswered questions."""
    stats = await asyncio.to_thread(services(context).feedback.stats)
    lines = [
        "<b>Statistics</b>",
        f"Questions answered: {stats['answered']}",
        f"Unanswered questions: {stats['unanswered']}",
        f"Button presses (More, measures, history): {stats['button_views']}",
        f"People who asked: {stats['people']}",
        f"Feedback: 👍 {stats['up']}, 👎 {stats['down']}"
        + (" (" + ", ".join(f"{esc(reason)} {n}" for reason, n in stats["reasons"].items()) + ")"
           if stats["reasons"] else ""),
        f"Index: {esc(search_index(context).summary())}",
    ]
    if stats["top_unanswered"]:
        lines += ["", "<b>Latest unanswered questions</b>"]
        lines += [f"• {esc(row['question'][:200])}" + (f" (×{row['n']})" if row["n"] > 1 else "")
                  for row in stats["top_unanswered"]]
    await send_reply(update, context, "\n".join(lines))


@admin_only
async def on_reports(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The latest 👎 with the question, the reason and what was shown."""
    reports = await asyncio.to_thread(services(context).feedback.latest_reports, 10)
    if not reports:
        await send_reply(update, context, "No 👎 reports yet.")
        return
    blocks = ["<b>Latest 👎 reports</b>"]
    for report in reports:
        shown = "; ".join(f"{esc(r['ref'])} ({esc(r['period'])}) lead {esc(r['lead'] or '-')}"
                          for r in report["results"][:5]) or "no results"
        blocks.append(f"#{report['id']} {esc(report['ts'][:16].replace('T', ' '))} – "
                      f"<b>{esc(report['reason'] or 'no reason given')}</b>\n"
                      f"Q: {esc((report['question'] or '')[:200])}\nShown: {shown}")
    await send_reply(update, context, "\n\n".join(blocks))
