"""A sweep on a Dask cluster (a LocalCluster this test starts) gives the local table, result by result."""

from __future__ import annotations

import pytest

from nn_core.sweeps import sweep

distributed = pytest.importorskip("distributed")

LINK = "#seed=0.3&networkShape=2,2&dataset=spiral"
GRID = {"learningRate": [0.01, 0.1, 1.0], "activation": ["tanh", "sigmoid"]}


def test_a_dask_cluster_gives_the_local_results() -> None:
    local = sweep(LINK, GRID, 25)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=":0") as cluster:
        remote = sweep(LINK, GRID, 25, dask=cluster.scheduler_address)
        with distributed.Client(cluster) as client:
            assert sweep(LINK, GRID, 25, dask=client) == local  # a client of the caller's, left open
            assert client.status == "running"
    assert len(remote.results) == 6
    for ours, theirs in zip(local.results, remote.results, strict=True):
        assert ours == theirs
