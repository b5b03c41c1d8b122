import pytest

from waypoint.domain.anonymity import k_anonymous


def test_records_sharing_each_combination_k_times_are_k_anonymous() -> None:
    records = [{"gender": "F", "age": "18-24", "name": str(index)} for index in range(3)]
    check = k_anonymous(records, ["gender", "age"], 3)
    assert check.satisfied
    assert check.smallest_group_size == 3
    assert check.small_groups == ()
    assert check.quasi_identifiers == ("gender", "age")


def test_small_groups_are_listed_smallest_first() -> None:
    records = [
        *({"gender": "F", "country": "UA"} for _ in range(5)),
        *({"gender": "M", "country": "UA"} for _ in range(2)),
        {"gender": "M", "country": "VN"},
    ]
    check = k_anonymous(records, ["gender", "country"], 3)
    assert not check.satisfied
    assert check.smallest_group_size == 1
    assert check.small_groups == ((("M", "VN"), 1), (("M", "UA"), 2))


def test_a_missing_value_is_a_value_of_its_own() -> None:
    records = [{"gender": "F"}, {"gender": "F"}, {}]
    check = k_anonymous(records, ["gender"], 2)
    assert check.small_groups == (((None,), 1),)


def test_no_records_are_trivially_k_anonymous() -> None:
    check = k_anonymous([], ["gender"], 11)
    assert check.satisfied
    assert check.smallest_group_size is None


@pytest.mark.parametrize("k", [0, -3, True])
def test_k_must_be_positive(k: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        k_anonymous([{"a": 1}], ["a"], k)


def test_quasi_identifiers_are_required() -> None:
    with pytest.raises(ValueError, match="quasi-identifier"):
        k_anonymous([{"a": 1}], [], 2)
