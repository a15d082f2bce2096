"""What a reviewer needs to judge a resubmission: how each earlier attempt was decided, every reviewer's
feedback and scores on it, and what the teacher changed since the last one, prompt by prompt (the written
answer as a word diff, files added, removed or replaced, links added or removed)."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from milepost.reviews.models import ReviewStatus

TOKENS = re.compile(r"\s+|[^\s]+")
MAX_DIFF_WORDS = 20000  # longer answers are compared as a whole: changed or not


@dataclass
class EarlierAttempt:
    """One decided attempt before the current one, with the reviews submitted on it (chain order)."""

    number: int
    outcome: str | None
    decided_at: object
    reviews: list = field(default_factory=list)


@dataclass
class PromptChange:
    """What changed in the answer to one prompt since the previous attempt."""

    index: int
    title: str
    text: list[tuple[str, str]] = field(default_factory=list)  # ("same" | "added" | "removed", words)
    added: list = field(default_factory=list)      # files now there that were not
    removed: list = field(default_factory=list)    # files that were there and are not now
    replaced: list = field(default_factory=list)   # (before, after): same file name, other content
    links_added: list[str] = field(default_factory=list)
    links_removed: list[str] = field(default_factory=list)

    @property
    def text_changed(self) -> bool:
        return any(kind != "same" for kind, _ in self.text)

    @property
    def changed(self) -> bool:
        return bool(self.text_changed or self.added or self.removed or self.replaced or self.links_added
                    or self.links_removed)


def earlier_attempts(submission, reviews) -> list[EarlierAttempt]:
    """The attempts before the current one, newest first, each with its submitted reviews (from the reviews
    reviews_of already read, so no query of its own). Private notes stay where they are shown today."""
    found = []
    for attempt in sorted(submission.attempts, key=lambda a: -a.number):
        if attempt.number >= submission.attempt_number:
            continue
        mine = sorted((r for r in reviews if r.attempt_number == attempt.number and r.status == ReviewStatus.SUBMITTED),
                      key=lambda r: (r.position, r.submitted_at, r.id))
        found.append(EarlierAttempt(number=attempt.number, outcome=attempt.outcome, decided_at=attempt.decided_at,
                                    reviews=mine))
    return found


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """The two texts as runs of unchanged, added and removed words (whitespace kept with its words)."""
    old, new = TOKENS.findall(before or ""), TOKENS.findall(after or "")
    if len(old) + len(new) > MAX_DIFF_WORDS:
        return [("same", after)] if before == after else [("removed", before), ("added", after)]
    runs: list[tuple[str, str]] = []

    def add(kind: str, words: list[str]) -> None:
        if not words:
            return
        text = "".join(words)
        if runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + text)
        else:
            runs.append((kind, text))

    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", new[j1:j2])
        else:
            add("removed", old[i1:i2])
            add("added", new[j1:j2])
    return runs


def changes_since(previous, current, prompts: list[dict], visible) -> list[PromptChange]:
    """Prompt by prompt, what the current attempt changed from the previous one. `visible(items)` keeps the
    items this person may see (items showing students stay hidden from those who may not see them)."""
    before_items, after_items = visible(previous.items), visible(current.items)
    changes = []
    for index, prompt in enumerate(prompts):
        before = [i for i in before_items if i.prompt_index == index]
        after = [i for i in after_items if i.prompt_index == index]
        change = PromptChange(index=index, title=prompt.get("title", f"Prompt {index + 1}"))
        old_text = "\n\n".join(i.text for i in before if i.kind == "text")
        new_text = "\n\n".join(i.text for i in after if i.kind == "text")
        if old_text or new_text:
            change.text = word_diff(old_text, new_text)
        old_files = {i.filename: i for i in before if i.kind == "file"}
        new_files = {i.filename: i for i in after if i.kind == "file"}
        old_hashes = {i.file_sha256 for i in old_files.values()}
        new_hashes = {i.file_sha256 for i in new_files.values()}
        for name, item in new_files.items():
            if name in old_files:
                if old_files[name].file_sha256 != item.file_sha256:
                    change.replaced.append((old_files[name], item))
            elif item.file_sha256 not in old_hashes:
                change.added.append(item)
        for name, item in old_files.items():
            if name not in new_files and item.file_sha256 not in new_hashes:
                change.removed.append(item)
        if len(old_files) == len(new_files) == 1 and change.added and change.removed:  # the one file, swapped
            change.replaced.append((change.removed.pop(), change.added.pop()))
        old_links = [i.url for i in before if i.kind == "link"]
        new_links = [i.url for i in after if i.kind == "link"]
        change.links_added = [u for u in new_links if u not in old_links]
        change.links_removed = [u for u in old_links if u not in new_links]
        changes.append(change)
    return changes
