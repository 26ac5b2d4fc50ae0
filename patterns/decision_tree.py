"""The decision tree (docs/decision-tree.md) as data, and a walker that turns answers into an architecture.

Each question has an id, a short explanation, its answers and the recommended one. An answer names
the patterns it adds, any pattern parameters it sets (the lazy-load validation), and the question
that comes next (``None`` ends the walk). Walking from the root with a dict of answers collects
patterns along the path; the result is one architecture in the command-line form (``batch_sync+lazy_load``).
The CLI (``patternsim recommend``) and the TUI both walk this same data.

The questions come in the order of docs/decision-tree.md, "several systems of record?" last: a
transparency service composes with every summary strategy (a merged replica kept by batch or
real-time sync, or a fan-out over every system when nothing is cached), so every leaf is runnable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from patterns.architecture import minimal


@dataclass(frozen=True)
class Answer:
    """One possible answer: what it adds to the architecture and where the walk goes next."""

    value: str
    label: str
    adds: tuple[str, ...] = ()
    params: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    next: str | None = None


@dataclass(frozen=True)
class Question:
    """One question of the tree; ``recommended`` is the answer on the common path.

    Most questions ask a fact about the user's systems, where that answer is only the usual case
    (marked "default"); ``advice`` marks the ones where the seed recommends an answer ("recommended").
    """

    id: str
    text: str
    explanation: str
    answers: tuple[Answer, ...]
    recommended: str
    short: str = ""  # a few words for the path-so-far panel
    advice: bool = False

    @property
    def mark(self) -> str:
        """How the preselected answer is labelled: ``recommended`` (advice) or ``default`` (a fact)."""
        return "recommended" if self.advice else "default"

    def answer(self, value: str) -> Answer:
        for a in self.answers:
            if a.value == value:
                return a
        raise KeyError(f"{self.id}: no answer {value!r} (one of {', '.join(self.values)})")

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(a.value for a in self.answers)


ROOT = "replicate"

QUESTIONS: dict[str, Question] = {q.id: q for q in (
    Question(
        "replicate", "Can the data of this concept be copied outside the system of record?",
        "A local copy is what makes fast search and joins possible, but it is not always allowed. A business "
        "or legal rule may forbid it (personal or financial data that must stay in the ERP), or the data may "
        "change so often that any delay between the source and a copy is unacceptable. If either applies, "
        "consumers read the source directly on every request.",
        (Answer("yes", "Yes, a local copy is allowed", next="summary_reads"),
         Answer("no", "No, it must stay in the system of record", adds=("direct",))),
        "yes", short="Copy allowed"),
    Question(
        "summary_reads", "Do consumers list, search or join on the summary fields?",
        "Summary fields are the few fields used to find and list entries: a customer's name, city, country, "
        "segment. They rarely change. Detail fields are only needed when one entry is opened: balance, "
        "credit limit, open orders. They change more often and are more sensitive. Listing and searching "
        "through the source costs a slow call each time; a local copy of the summary fields (a cold cache) "
        "answers them with SQL.",
        (Answer("yes", "Yes, keep a cold cache of summary fields", next="realtime"),
         Answer("no", "No, summary reads stay direct", next="details_reused")),
        "yes", short="List/search summary"),
    Question(
        "realtime", "Must the cached summary fields be current in real time?",
        "Usually summary fields are stable, and a periodic batch sync that copies what changed since the "
        "last run is enough: reads may be behind by up to one sync interval (minutes). Some lists need a "
        "field that changes constantly and must be right now, such as each vehicle's position in a fleet "
        "list. Then the source must call back on every change (real-time sync).",
        (Answer("no", "No, minutes behind is fine: batch sync", adds=("batch_sync",), next="isolate_sync"),
         Answer("yes", "Yes: real-time sync from source callbacks", adds=("realtime_sync",), next="change_volume")),
        "no", short="Real-time summary", advice=True),
    Question(
        "change_volume", "Can changes arrive faster than they can be handled one by one?",
        "A callback handled inline keeps the source waiting, and with only a few handlers a burst of changes "
        "finds none free: the callback fails and that change is lost until something else repairs it. As a "
        "rule of thumb, volume is high when changes per second times the time to handle one exceeds the "
        "number of handlers (e.g. 5 changes/s at 0.5 s each needs more than 2 handlers), or when bursts "
        "(month-end, imports) reach hundreds of changes at once. A queue accepts each callback at once "
        "and workers process it in parallel.",
        (Answer("yes", "Yes, high volume or bursts: queue the callbacks", adds=("queued_sync",),
                next="concurrent_callbacks"),
         Answer("no", "No, a few changes a second at most", next="concurrent_callbacks")),
        "no", short="High change volume"),
    Question(
        "concurrent_callbacks", "Can the source send several change notifications at the same time?",
        "A source that notifies from several threads gives no guarantee of order: an older version of a "
        "record may arrive after a newer one and overwrite it. Ordered sync keeps the newest version per "
        "record and ignores anything older. It matters most when callbacks carry the record itself (an "
        "IDoc, an outbound message, a change-data-capture event): that saves the source a read per change, "
        "but a late callback then carries an old record. A plain notification makes the handler fetch the "
        "record as it is now, so only two fetches of one record racing can go wrong.",
        (Answer("yes", "Yes, notifications may overlap: order them", adds=("ordered_sync",), next="isolate_sync"),
         Answer("no", "No, one notification at a time", next="isolate_sync")),
        "no", short="Concurrent callbacks"),
    Question(
        "isolate_sync", "Is the sync complex, tuned often, or must it orchestrate several concepts?",
        "When the sync logic keeps changing, or must run in an order across concepts (customers before the "
        "contracts that refer to them), it is better kept in a separate sync module. The Core Service and "
        "its consumers are then untouched by sync changes, and the sync can be removed if the source is "
        "ever retired.",
        (Answer("yes", "Yes, isolate the sync in its own module", adds=("isolated_sync",), next="details_reused"),
         Answer("no", "No, keep the sync inside the Core Service", next="details_reused")),
        "no", short="Isolate the sync"),
    Question(
        "details_reused", "Are an entry's details read again soon after they were fetched?",
        "Details are fetched one entry at a time. If the same entries are opened again and again (a popular "
        "customer, a screen that reloads), each fetch is another slow call to the source. A lazy-load cache "
        "keeps fetched details locally and serves them until they are considered out of date; a timer "
        "removes old ones to save space.",
        (Answer("yes", "Yes, cache details when fetched (lazy load)", adds=("lazy_load",), next="cheap_timestamp"),
         Answer("no", "No, fetch details on demand", next="several_sources")),
        "no", short="Details reused"),
    Question(
        "cheap_timestamp", "Can the source tell an entry's last-update time cheaply?",
        "A cached detail must be judged fresh or stale before it is reused. If the source answers 'when did "
        "this entry last change?' much faster than a full read, ask it each time (validation by timestamp: "
        "never stale, one cheap call per read). Otherwise give each cached detail an expiry time (validation "
        "by TTL: no call at all, but possibly stale until it expires).",
        (Answer("yes", "Yes: validate by timestamp", params={"lazy_load": {"validation": "timestamp"}},
                next="several_sources"),
         Answer("no", "No: validate by expiry time (TTL)", params={"lazy_load": {"validation": "ttl"}},
                next="several_sources")),
        "no", short="Cheap timestamp"),
    Question(
        "several_sources", "Is the concept held in more than one system of record?",
        "Customers may live partly in one ERP and partly in another, each with its own formats and API. A "
        "transparency service hides that: one driver per source with the same signatures, a sync that "
        "merges them into one local replica (or, with nothing cached, a list that asks every system), and "
        "writes routed to the system that owns the entry.",
        (Answer("yes", "Yes, several systems: merge them (transparency)", adds=("transparency",)),
         Answer("no", "No, one system of record")),
        "no", short="Several sources"),
)}

@dataclass
class Outcome:
    """Where a walk ended: the path taken, the architecture and the pattern parameters it set."""

    path: list[tuple[str, str]]
    ids: list[str]
    params: dict[str, dict[str, Any]]
    complete: bool

    @property
    def name(self) -> str:
        return "+".join(self.ids)


def follow(answers: Mapping[str, str]) -> Outcome:
    """Walk from the root as far as ``answers`` go; answers off the path are ignored, never dropped."""
    path: list[tuple[str, str]] = []
    collected: list[str] = []
    params: dict[str, dict[str, Any]] = {}
    qid: str | None = ROOT
    while qid is not None:
        question = QUESTIONS[qid]
        if qid not in answers:
            return Outcome(path, _architecture(collected), params, complete=False)
        answer = question.answer(answers[qid])
        path.append((qid, answer.value))
        collected += [p for p in answer.adds if p not in collected]
        for pid, values in answer.params.items():
            params.setdefault(pid, {}).update(values)
        qid = answer.next
    return Outcome(path, _architecture(collected), params, complete=True)


def _architecture(collected: list[str]) -> list[str]:
    # A variant implies its base, so an architecture names only the variant.
    return minimal(collected) or ["direct"]  # nothing kept locally: every read is direct


def walk(answers: Mapping[str, str]) -> list[str]:
    """The architecture (pattern ids) for a complete set of answers; ``KeyError`` if one is missing."""
    outcome = follow(answers)
    if not outcome.complete:
        raise KeyError(f"no answer for {next_question(answers).id!r}")
    return outcome.ids


def next_question(answers: Mapping[str, str]) -> Question | None:
    """The first question on the path that ``answers`` leave open, or ``None`` when the walk is done."""
    qid: str | None = ROOT
    while qid is not None:
        if qid not in answers:
            return QUESTIONS[qid]
        qid = QUESTIONS[qid].answer(answers[qid]).next
    return None


def recommended_answers() -> dict[str, str]:
    """The common path: every question on it answered with its recommended answer."""
    answers: dict[str, str] = {}
    while (q := next_question(answers)) is not None:
        answers[q.id] = q.recommended
    return answers


def all_paths() -> list[dict[str, str]]:
    """Every complete set of answers the tree allows (for tests and for the help screen)."""
    done: list[dict[str, str]] = []
    pending: list[dict[str, str]] = [{}]
    while pending:
        answers = pending.pop()
        q = next_question(answers)
        if q is None:
            done.append(answers)
            continue
        pending += [{**answers, q.id: a.value} for a in q.answers]
    return done


def parse_answers(items: list[str]) -> dict[str, str]:
    """``["replicate=yes", ...]`` -> a dict, each id and value checked against the tree (``ValueError``)."""
    answers: dict[str, str] = {}
    for item in items:
        qid, sep, value = item.partition("=")
        qid, value = qid.strip(), value.strip().lower()
        if not sep or not qid:
            raise ValueError(f"--answer {item!r}: expected QUESTION=ANSWER, e.g. replicate=yes")
        if qid not in QUESTIONS:
            raise ValueError(f"--answer {item!r}: unknown question {qid!r} (one of {', '.join(QUESTIONS)})")
        if value not in QUESTIONS[qid].values:
            raise ValueError(f"--answer {item!r}: {qid} takes {' or '.join(QUESTIONS[qid].values)}")
        answers[qid] = value
    return answers
