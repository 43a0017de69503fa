import pytest

from .topology import Topology


@pytest.fixture
def cluster(tmp_path):
    topology = Topology(tmp_path)
    yield topology
    topology.stop()
