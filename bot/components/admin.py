"""Admin commands: /reload (rebuild the index without a restart), /stats, /reports."""
from __future__ import annotations

import asyncio
import html
import logging

from telegram import Update
from telegram.ext import ContextTypes

from .access import admin_only
from .context import SEARCH_KEY, SERVICES_KEY, search_index, services
from .loadedindex import LoadedIndex
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
        try:
            result = await asyncio.to_thread(svc.watcher.reload, True)
        except Exception:  # noqa: BLE001 - any failure must leave the old index serving
            log.exception("reload failed")
            await send_reply(update, context, "Reload failed (see the log); still answering from the previous index.")
            return
        if result.error:
            await send_reply(update, context, f"Reload failed; still answering from the previous index.\n{esc(result.error)}")
            return
        swap_index(context.bot_data, result.index)
        report = result.index.report
        lines = [f"Reloaded in {report.seconds:.1f}s: {esc(search_index(context).summary())}."]
        if report.warnings:
            lines.append(f"{len(report.warnings)} warning(s), e.g. {esc(report.warnings[0])}")
        if report.errors:
            lines.append(f"{len(report.errors)} error(s), e.g. {esc(report.errors[0])}")
        await send_reply(update, context, "\n".join(lines))


def swap_index(bot_data: dict, index) -> None:
    """Answer from ``index`` from now on: one assignment, so no question sees half of it."""
    bot_data[SEARCH_KEY] = LoadedIndex(index)


async def watch_knowledge(application) -> None:
    """Every ``storage.watch_seconds``, pick up added or changed plans (``cspbot add``, a file
    copied in) without a restart; the new index is built in a worker thread and swapped in
    whole. A failure is logged and the bot goes on answering from the index it has."""
    svc = application.bot_data[SERVICES_KEY]
    while True:
        await asyncio.sleep(svc.config.storage.watch_seconds)
        if svc.reload_lock.locked():
            continue  # an admin /reload is under way
        async with svc.reload_lock:
            try:
                result = await asyncio.to_thread(svc.watcher.poll)
            except Exception:  # noqa: BLE001 - the watch must outlive any one failure
                log.exception("knowledge check failed")
                continue
        if result is None:
            continue
        if result.error:
            log.warning("knowledge changed but could not be indexed; still answering from the previous index: %s",
                        result.error)
        elif result.changed:
            swap_index(application.bot_data, result.index)
            log.info("knowledge changed: now answering from %s", application.bot_data[SEARCH_KEY].summary())


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
