"""A live session's lifecycle is an enum whose illegal moves raise."""
import pytest

from hub.live.lifecycle import IllegalMove, Phase, move


def test_a_session_goes_through_its_life_in_order_and_never_back():
    phase = Phase.CONNECTED
    for to in (Phase.UPGRADED, Phase.JOINED, Phase.CLOSING, Phase.CLOSED):
        phase = move(phase, to)
    assert phase is Phase.CLOSED
    for now, to in ((Phase.CONNECTED, Phase.JOINED), (Phase.JOINED, Phase.UPGRADED), (Phase.CLOSED, Phase.CLOSING),
                    (Phase.CLOSING, Phase.JOINED)):
        with pytest.raises(IllegalMove):
            move(now, to)
