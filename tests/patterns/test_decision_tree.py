"""The decision tree: every path ends in a valid architecture; the common path is cold cache + batch sync."""

from __future__ import annotations

import pytest

from patterns import decision_tree as tree
from patterns.architecture import check
from patterns.catalogue import PATTERNS

PATHS = tree.all_paths()


def test_recommended_path_is_cold_cache_with_batch_sync() -> None:
    answers = tree.recommended_answers()
    assert tree.walk(answers) == ["batch_sync"]
    assert [qid for qid, _ in tree.follow(answers).path] == list(answers)


def test_every_question_is_reachable_and_every_next_exists() -> None:
    reached = {qid for answers in PATHS for qid in answers}
    assert reached == set(tree.QUESTIONS)
    for q in tree.QUESTIONS.values():
        assert q.recommended in q.values
        assert q.explanation and q.text.endswith("?")
        for a in q.answers:
            assert a.next is None or a.next in tree.QUESTIONS


@pytest.mark.parametrize("answers", PATHS, ids=lambda a: "-".join(f"{k[:4]}{v[0]}" for k, v in a.items()))
def test_each_leaf_is_a_valid_architecture(answers: dict[str, str]) -> None:
    ids = tree.walk(answers)
    assert ids and len(set(ids)) == len(ids)
    assert "direct" not in ids or ids == ["direct"]
    # A chosen realtime variant replaces realtime_sync in the name (it implies it).
    if {"queued_sync", "ordered_sync"} & set(ids):
        assert "realtime_sync" not in ids
    if all(pid in PATTERNS for pid in ids):
        check(ids)


def test_no_replica_means_direct_and_stops() -> None:
    assert tree.walk({"replicate": "no"}) == ["direct"]
    assert tree.next_question({"replicate": "no"}) is None


def test_summary_reads_stay_direct_when_only_details_are_cached() -> None:
    answers = {"replicate": "yes", "summary_reads": "no", "details_reused": "yes", "cheap_timestamp": "yes",
               "several_sources": "no"}
    outcome = tree.follow(answers)
    assert outcome.ids == ["lazy_load"] and outcome.params == {"lazy_load": {"validation": "timestamp"}}
    assert tree.walk({**answers, "details_reused": "no"}) == ["direct"]


def test_realtime_variants_combine() -> None:
    answers = {**tree.recommended_answers(), "realtime": "yes", "change_volume": "yes", "concurrent_callbacks": "yes",
               "details_reused": "yes", "cheap_timestamp": "no"}
    assert tree.walk(answers) == ["queued_sync", "ordered_sync", "lazy_load"]
    assert tree.follow(answers).params == {"lazy_load": {"validation": "ttl"}}
    assert tree.walk({**answers, "change_volume": "no", "concurrent_callbacks": "no"}) == ["realtime_sync",
                                                                                           "lazy_load"]


def test_several_sources_is_asked_last_and_adds_transparency() -> None:
    answers = {"replicate": "yes", "summary_reads": "yes", "realtime": "no", "isolate_sync": "no",
               "details_reused": "no"}
    assert tree.next_question(answers).id == "several_sources"  # DESIGN section 10's order
    assert tree.walk({**answers, "several_sources": "yes"}) == ["batch_sync", "transparency"]
    no_cache = {"replicate": "yes", "summary_reads": "no", "details_reused": "no", "several_sources": "yes"}
    assert tree.walk(no_cache) == ["transparency"]  # lists fan out over every system


def test_answers_off_the_path_are_kept_but_ignored() -> None:
    answers = {**tree.recommended_answers(), "change_volume": "yes"}  # realtime=no: never asked
    assert tree.walk(answers) == ["batch_sync"]
    assert answers["change_volume"] == "yes"


def test_next_question_follows_the_answers() -> None:
    assert tree.next_question({}).id == tree.ROOT
    assert tree.next_question({"replicate": "yes", "summary_reads": "no"}).id == "details_reused"
    with pytest.raises(KeyError, match="summary_reads"):
        tree.walk({"replicate": "yes"})


@pytest.mark.parametrize("item, reason", [("replicate", "expected QUESTION=ANSWER"), ("nope=yes", "unknown question"),
                                          ("replicate=maybe", "takes yes or no")])
def test_parse_answers_rejects_bad_input(item: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        tree.parse_answers([item])


def test_parse_answers_accepts_any_case() -> None:
    assert tree.parse_answers([" replicate = YES "]) == {"replicate": "yes"}
