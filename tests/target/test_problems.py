"""How a problem reads in the log, the report and the rejected store."""

from __future__ import annotations

from target_akountify.problems import Problem


def test_a_message_that_already_names_its_field_is_not_prefixed_twice() -> None:
    problem = Problem(
        "customer",
        "invalid_reference",
        "customer: no customer has external_id '001A': upsert the customer first",
        "sync the Account first",
    )
    assert problem.located() == (
        "customer: no customer has external_id '001A': upsert the customer first"
    )
    assert problem.describe() == (
        "customer: no customer has external_id '001A': upsert the customer first. "
        "Fix: sync the Account first"
    )


def test_a_message_without_its_field_gets_it_in_front() -> None:
    problem = Problem("email", "invalid_format", "not an email address", "correct it")
    assert problem.located() == "email: not an email address"
    assert problem.describe() == "email: not an email address. Fix: correct it"


def test_a_problem_of_the_whole_record_has_no_field() -> None:
    problem = Problem("", "rejected", "the batch failed", "retry")
    assert problem.located() == "the batch failed"
