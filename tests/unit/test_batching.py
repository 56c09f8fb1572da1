from jobs.batching import bounded_batches


def _sizes(batches):
    return [[size for _, size in batch] for batch in batches]


def test_batches_keep_the_order_and_respect_both_bounds():
    items = list(enumerate([40, 40, 30, 10, 10, 10]))
    size = lambda item: item[1]  # noqa: E731
    assert _sizes(bounded_batches(items, size, max_count=10, max_size=80)) == [[40, 40], [30, 10, 10, 10]]
    assert _sizes(bounded_batches(items, size, max_count=3, max_size=80)) == [[40, 40], [30, 10, 10], [10]]
    assert _sizes(bounded_batches(items, size, max_count=10)) == [[40, 40, 30, 10, 10, 10]]
    assert _sizes(bounded_batches(items, size)) == [[40, 40, 30, 10, 10, 10]]
    assert [i for batch in bounded_batches(items, size, max_count=2) for i, _ in batch] == [0, 1, 2, 3, 4, 5]


def test_an_item_larger_than_the_size_bound_is_a_batch_of_its_own():
    items = list(enumerate([5, 500, 5]))
    assert _sizes(bounded_batches(items, lambda item: item[1], max_size=100)) == [[5], [500], [5]]
    assert bounded_batches([], lambda item: 1, max_count=1, max_size=1) == []
