"""HRANDFIELD, SRANDMEMBER, SPOP, ZRANDMEMBER and RANDOMKEY pick uniformly: a chi-square test per
command and encoding (small/listpack and large/table forms).

The server's generator is not seeded from here, so each bound is one a fair picker stays under
with probability ~1 - 3e-7 (Wilson-Hilferty, z = 5), while a picker that favours members (as
picking a random slot and then the next occupied one did: 40/1/259 of 300) is far over it.

redis-server itself is only close to uniform on its large dict encodings (it draws a random bucket,
then a random entry of that bucket's chain, so entries sharing a bucket weigh less: chi-square
~2900 for 200 members and 60000 draws; a member alone in a chain of 6 gets a fifth of a fair
share), so against it the large cases check only that every member comes up and none more than
three times as often as a fair share."""

import math
from collections import Counter

import pytest

from harness import IS_REDIS

LONG = "x" * 75  # past the *-max-listpack-value of 64: forces the table encodings
SMALL = ["a", "b", "c"]
WITH_LONG = ["a", "b", LONG]
INTS = ["1", "2", "3"]
LARGE = ["m%d" % i for i in range(200)]  # past the *-max-listpack-entries of 128

CASES = {"small": SMALL, "long": WITH_LONG, "large": LARGE}


def chi_square_bound(categories):
    df = categories - 1
    a = 2.0 / (9.0 * df)
    return df * (1.0 - a + 5.0 * math.sqrt(a)) ** 3


def assert_uniform(picks, population):
    counts = Counter(picks)
    assert set(counts) <= set(population), set(counts) - set(population)
    expected = len(picks) / len(population)
    stat = sum((counts.get(m, 0) - expected) ** 2 / expected for m in population)
    shown = {m[:10]: counts.get(m, 0) for m in population[:5]}
    if IS_REDIS and len(population) > 128:
        assert all(0 < counts.get(m, 0) < expected * 3 for m in population), shown
        return
    assert stat < chi_square_bound(len(population)), "chi-square %.1f; counts %s" % (stat, shown)


def draws_for(population):
    return max(3000, 300 * len(population))


def pipelined(r, commands, batch=2000):
    """Runs (name, *args) commands in pipelines; returns the replies."""
    replies = []
    for start in range(0, len(commands), batch):
        pipe = r.pipeline(transaction=False)
        for c in commands[start:start + batch]:
            pipe.execute_command(*c)
        replies += pipe.execute()
    return replies


@pytest.mark.parametrize("case", CASES)
def test_hrandfield_is_uniform(r, case):
    members = CASES[case]
    r.hset("h", mapping={m: "v" for m in members})
    singles = pipelined(r, [("HRANDFIELD", "h")] * draws_for(members))
    assert_uniform(singles, members)
    assert_uniform(r.hrandfield("h", -draws_for(members)), members)
    with_values = r.hrandfield("h", -draws_for(members), withvalues=True)
    assert_uniform(with_values[::2], members)


@pytest.mark.parametrize("case", ["ints"] + list(CASES))
def test_srandmember_is_uniform(r, case):
    members = INTS if case == "ints" else CASES[case]
    r.sadd("s", *members)
    singles = pipelined(r, [("SRANDMEMBER", "s")] * draws_for(members))
    assert_uniform(singles, members)
    assert_uniform(r.srandmember("s", -draws_for(members)), members)


@pytest.mark.parametrize("case", ["ints", "small", "long"])
def test_spop_is_uniform(r, case):
    members = INTS if case == "ints" else CASES[case]
    commands = []
    for _ in range(3000):
        commands += [("DEL", "s"), ("SADD", "s", *members), ("SPOP", "s")]
    assert_uniform(pipelined(r, commands)[2::3], members)


def test_spop_with_count_is_uniform_on_a_large_set(r):
    # SPOP s 50 of 200: each member is in a batch with probability 1/4. Counts across batches
    # vary less than independent draws do (no repeats in a batch), so the bound still holds.
    commands = []
    for _ in range(400):
        commands += [("DEL", "s"), ("SADD", "s", *LARGE), ("SPOP", "s", "50")]
    popped = [m for batch in pipelined(r, commands, batch=300)[2::3] for m in batch]
    assert len(popped) == 400 * 50
    assert_uniform(popped, LARGE)


@pytest.mark.parametrize("case", CASES)
def test_zrandmember_is_uniform(r, case):
    members = CASES[case]
    r.zadd("z", {m: i for i, m in enumerate(members)})
    singles = pipelined(r, [("ZRANDMEMBER", "z")] * draws_for(members))
    assert_uniform(singles, members)
    assert_uniform(r.zrandmember("z", -draws_for(members)), members)


@pytest.mark.parametrize("case", CASES)
def test_randomkey_is_uniform(r, case):
    # With several shards each holds a different number of these keys: a shard must be chosen
    # in proportion to its keys, and a key within it uniformly.
    keys = CASES[case]
    r.mset({k: "1" for k in keys})
    assert_uniform(pipelined(r, [("RANDOMKEY",)] * draws_for(keys)), keys)
