"""The signal table in docs/contributors.md is the truth about who listens: it must match what
create_app() connects, signal by signal and receiver by receiver, in order."""
from __future__ import annotations

import re
from pathlib import Path

from milepost.core import signals

DOC = Path(__file__).resolve().parents[2] / "docs" / "contributors.md"


def documented() -> dict[str, dict]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Signals and who listens", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        name, kind, sender, receivers = cells
        table[name.strip("`")] = {"kind": kind, "sender": sender.strip("`"),
                                  "receivers": re.findall(r"`([^`]+)`", receivers)}
    return table


def connected(signal) -> list[str]:
    names = []
    for receiver in signal.receivers_for(None):
        module = receiver.__module__.removeprefix("milepost.")
        names.append(f"{module}.{receiver.__name__}")
    return names


def test_every_signal_and_its_receivers_match_the_architecture_doc(app):
    table = documented()
    assert set(table) == set(signals.ALL), "the doc's signal table and core/signals.py list different signals"
    for name, signal in signals.ALL.items():
        assert table[name]["receivers"] == connected(signal), f"receivers of {name} differ from the doc"


def test_each_signal_says_who_sends_it_and_the_sender_exists(app):
    import importlib

    for name, row in documented().items():
        kind = "question" if name.endswith("_asked") else "event"
        assert row["kind"] == kind, name
        module, _, function = row["sender"].rpartition(".")
        sender = getattr(importlib.import_module(f"milepost.{module}"), function)
        assert callable(sender), row["sender"]
        assert row["sender"].split(".")[0] in signals.ALL[name].__doc__, f"{name}'s docstring names its sender"


def test_receivers_run_in_the_order_they_were_connected():
    signal = signals.Signal("a test signal")
    heard = []

    def first(sender):
        heard.append("first")

    def second(sender):
        heard.append("second")

    def third(sender):
        heard.append("third")

    for receiver in (third, first, second):
        signal.connect(receiver)
    signal.send(None)
    assert heard == ["third", "first", "second"]
