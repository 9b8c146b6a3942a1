"""A frame's loss points: read from the history's newest points, they are exactly what reading
the whole history gives, whatever happened to it between frames (training, thinning, a rewind,
a reset)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from app.server_messages import RECENT_POINTS, HistoryCursor
from nn_core import Playground
from nn_core.history import History


class CountingPlayground:
    """The two ways a cursor reads a history, counting the points each copies."""

    def __init__(self, history: History) -> None:
        self._history = history
        self.copied = 0

    @property
    def history(self) -> list[tuple[int, float, float]]:
        points = self._history.points()
        self.copied += len(points)
        return points

    def recent_history(self, count: int) -> list[tuple[int, float, float]]:
        points = self._history.recent(count)
        self.copied += len(points)
        return points


steps = st.one_of(
    st.tuples(st.just("train"), st.integers(0, 3 * RECENT_POINTS)),
    st.tuples(st.just("rewind"), st.integers(0, 400)),
    st.tuples(st.just("reset"), st.just(0)),
    st.tuples(st.just("restart"), st.just(0)),
)


@settings(deadline=None)
@given(st.lists(steps, max_size=30))
def test_a_frame_reads_the_new_points_as_reading_the_whole_history_would(script: list[tuple[str, int]]) -> None:
    history = History(limit=300)  # thins within the script
    history.add(0, 1.0, 1.0)
    epoch = 0
    whole, recent = HistoryCursor(), HistoryCursor()
    source = CountingPlayground(history)
    for action, amount in script:
        if action == "train":
            for _ in range(amount):
                epoch += 1
                history.add(epoch, 1.0 / epoch, 2.0 / epoch)
        elif action == "rewind":
            epoch = min(epoch, amount)
            history.truncate(epoch)
        elif action == "reset":
            epoch, history = 0, History(limit=300)
            history.add(0, 1.0, 1.0)
            source = CountingPlayground(history)
        else:  # the session asks for the whole chart again (a seek, a new page)
            whole.restart()
            recent.restart()
        assert recent.take_from(source) == whole.take(history.points())
        assert recent.last_epoch == whole.last_epoch


def test_a_long_history_is_not_copied_for_a_frame_of_a_few_epochs() -> None:
    pg = Playground.from_url("#seed=0.2")
    pg.step(500)
    source = CountingPlayground(pg._history)
    cursor = HistoryCursor()
    cursor.take_from(source)  # the first frame: the whole chart
    assert source.copied > 500
    for _ in range(20):
        pg.step(3)
        source.copied = 0
        points, restarted = cursor.take_from(source)
        assert [point[0] for point in points] == [pg.epoch - 2, pg.epoch - 1, pg.epoch] and not restarted
        assert source.copied == RECENT_POINTS
