"""The list's comparison of a fresh id query with the rows shown (computed off the GUI thread)."""

import random

from console.models.tickets import IdOffer


def _by_hand(shown: list[int], ids: list[int]) -> tuple[set[int], int, bool, bool]:
    staying = [t for t in shown if t in ids]
    return ({t for t in shown if t not in ids}, len([t for t in ids if t not in shown]),
            staying != [t for t in ids if t in shown], any(t < 0 for t in set(shown) ^ set(ids)))


def test_an_offer_says_what_left_what_is_new_and_whether_the_order_moved() -> None:
    rng = random.Random(7)
    for _ in range(400):
        shown = rng.sample(range(-3, 60), rng.randint(0, 30))
        ids = [t for t in shown if rng.random() > 0.15] + rng.sample(range(60, 90), rng.randint(0, 3))
        if rng.random() < 0.4:
            rng.shuffle(ids)
        offer = IdOffer.of(shown, ids)
        assert (set(offer.departed), offer.new, offer.reordered, offer.stand_in_moved) == _by_hand(shown, ids)
        assert offer.shown is shown


def test_the_same_ids_are_no_change() -> None:
    shown = list(range(12_000))
    offer = IdOffer.of(shown, list(shown))
    assert (offer.departed, offer.new, offer.reordered, offer.stand_in_moved) == (frozenset(), 0, False, False)
    moved = IdOffer.of(shown, shown[1:] + shown[:1])
    assert (moved.departed, moved.new, moved.reordered) == (frozenset(), 0, True)
