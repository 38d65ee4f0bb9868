"""Placeholder: replaced by the flowed-layout parser."""
from ..models import ParsedPlan


def parse_flowed(text, entry, source):
    return ParsedPlan(entry=entry)
