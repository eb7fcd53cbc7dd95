"""The live loop: one thread trains what is watched, frames equal a lone run's, one config trains once."""
import threading
import time

import numpy as np
import pytest
import torch

import ganplay
from ganplay.live import LiveLimit, LiveLoop
from ganplay.live_batch import lock_batch
from ganplay.recording import LiveFrame, Recording

CFG = ganplay.RunConfig(steps=120)
STALL_SECONDS = 60  # a generous bound that only a stall (not a slow machine) reaches


class Clock:
    """The loop's clock for leases and playback, moved by the test alone."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Ticking(Clock):
    """A clock that moves a millisecond a look: a viewer behind the run's latest frame catches up."""

    def __call__(self) -> float:
        self.now += 0.001
        return self.now


def wait_until(condition, what: str):
    deadline = time.monotonic() + STALL_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"stalled: {what}")
        time.sleep(0.005)


def make_loop(clock=None, **options) -> LiveLoop:
    """A loop of many small chunks, publishing after each, quick to go idle."""
    settings = dict(chunk_seconds=0.002, frame_seconds=0.0, idle_seconds=0.05, clock=clock or Clock())
    return LiveLoop(**{**settings, **options})


def lone(cfg, step: int):
    return ganplay.Trainer(cfg).step(step).snapshot()


def assert_same_frame(frame: LiveFrame, cfg):
    alone = lone(cfg, frame.step)
    assert frame.value.step == alone.step == frame.step
    assert np.array_equal(frame.value.fake, alone.fake)
    assert frame.value.history.equals(alone.history)


def assert_same_frames(frames: list[LiveFrame], cfg, most: int = 6):
    """Up to `most` of the distinct frames, spread evenly, each against a lone run trained in one call."""
    distinct = list({f.step: f for f in frames}.values())
    assert len(distinct) > 3
    for index in np.linspace(0, len(distinct) - 1, most).round().astype(int):
        assert_same_frame(distinct[index], cfg)


def play_to_end(viewer, clock: Clock | None = None) -> list[LiveFrame]:
    """Read while playing to the last frame; with a clock, time moves on 0.1 s a read (a viewer behind the
    run's latest frame catches up at the playback rate)."""
    frames = [viewer.read()]

    def read_on():
        if clock is not None:
            clock.now += 0.1
        frames.append(viewer.read())
        return frames[-1].finished

    wait_until(read_on, "the run did not reach its end")
    return frames


def test_loop_trained_frames_equal_a_lone_runs_at_the_same_step():
    loop = make_loop()
    frames = play_to_end(loop.watch("a", CFG))
    steps = [f.step for f in frames]
    assert steps == sorted(steps) and steps[-1] == CFG.steps
    assert_same_frames(frames, CFG)
    assert torch.equal(torch.as_tensor(frames[-1].value.fake), torch.as_tensor(lone(CFG, CFG.steps).fake))


def test_a_recording_played_back_equals_the_run_and_trains_nothing_more():
    clock = Clock()
    loop = make_loop(clock, playback_rate=50.0)
    play_to_end(loop.watch("teacher", CFG))
    late = loop.watch("student", CFG)
    frames = [late.read()]
    while not frames[-1].finished:
        clock.now += 0.1  # 5 steps a read at 50 steps/s
        frames.append(late.read())
    assert frames[0].step == 0 and len(frames) >= CFG.steps / 5
    assert [f.step for f in frames] == sorted(f.step for f in frames)
    assert_same_frames(frames, CFG)
    assert loop.steps_taken(CFG) == CFG.steps


def test_a_reset_viewer_replays_from_the_start():
    clock = Clock()
    loop = make_loop(clock, playback_rate=50.0)
    viewer = loop.watch("a", CFG)
    play_to_end(viewer)
    assert viewer.reset().step == 0
    clock.now += 0.5
    assert viewer.read().step <= 25 and viewer.read().step == viewer.frame.step


def test_two_viewers_of_one_config_train_it_once():
    made, clock = [], Clock()
    loop = make_loop(clock, make_run=lambda cfg, data: made.append(cfg) or ganplay.Trainer(cfg, data))
    first, second = loop.watch("a", CFG), loop.watch("b", CFG)
    done = threading.Thread(target=play_to_end, args=(second, clock))
    done.start()
    play_to_end(first, clock)
    done.join(STALL_SECONDS)
    assert made == [CFG] and loop.steps_taken(CFG) == CFG.steps
    assert first.frame is second.frame


def test_visitors_opening_one_link_at_once_start_one_training():
    """A class opening a teacher's link together: the run is made once, however many sessions ask meanwhile."""
    made, asked = [], threading.Barrier(4)

    def make_run(cfg, data):
        made.append(cfg)
        time.sleep(0.2)  # a Trainer takes a while to build: the others ask meanwhile
        return ganplay.Trainer(cfg, data)
    loop = make_loop(make_run=make_run)
    viewers = []

    def open_link(owner):
        asked.wait()
        viewers.append(loop.watch(owner, CFG))
    threads = [threading.Thread(target=open_link, args=(f"visitor {k}",)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(STALL_SECONDS)
    assert made == [CFG] and len(viewers) == 4
    assert len({id(viewer.frame) for viewer in viewers}) == 1


def test_pausing_one_viewer_leaves_the_others_runs_and_step_counts_unchanged():
    long = CFG.replace(steps=5000)
    paused_cfg, other_cfg = long.replace(seed=1), long.replace(seed=2)
    loop = make_loop()
    paused, other = loop.watch("a", paused_cfg), loop.watch("b", other_cfg)
    wait_until(lambda: paused.read().step >= 10 and other.read().step >= 10, "both runs train")
    shown = paused.pause()
    mark = loop.steps_taken(other_cfg)
    wait_until(lambda: other.read() and loop.steps_taken(other_cfg) > mark + 1, "the other run goes on")
    taken = loop.steps_taken(paused_cfg)  # an in-flight chunk of the paused run has landed by now
    mark = loop.steps_taken(other_cfg)
    wait_until(lambda: other.read() and loop.steps_taken(other_cfg) > mark + 20, "the other run goes on")
    assert loop.steps_taken(paused_cfg) == taken and paused.pause() is shown
    other.pause()


def test_pausing_one_of_two_viewers_of_a_run_freezes_only_its_frame():
    long = CFG.replace(steps=5000)
    loop = make_loop(Ticking(), playback_rate=1e6)
    paused, playing = loop.watch("a", long), loop.watch("b", long)
    wait_until(lambda: playing.read().step >= 5 and paused.read().step >= 5, "the run trains")
    shown = paused.pause()
    wait_until(lambda: playing.read().step > shown.step + 20, "the run goes on for the other viewer")
    assert paused.pause() is shown
    playing.pause()


def test_a_lease_that_is_not_renewed_stops_training():
    clock = Clock()
    long = CFG.replace(steps=50_000)
    loop = make_loop(clock, lease_seconds=3.0)
    viewer = loop.watch("a", long)
    wait_until(lambda: viewer.read().step >= 5, "the run trains")
    clock.now += 3.5  # the tab closed: no read renews the lease
    wait_until(lambda: not loop.running, "the loop stops")
    taken = loop.steps_taken(long)
    assert 5 <= taken < long.steps and viewer.pause().step <= taken
    assert loop.steps_taken(long) == taken


def test_a_released_owner_frees_its_runs():
    long = CFG.replace(steps=50_000)
    loop = make_loop(cache_entries=0)
    viewer = loop.watch("session", long)
    wait_until(lambda: viewer.read().step >= 5, "the run trains")
    loop.release("session")
    wait_until(lambda: not loop.running, "the loop stops")
    assert loop.recording(long) == () and loop.steps_taken(long) == 0


def test_a_viewer_idle_past_its_lifetime_lets_its_run_go_and_comes_back_when_read():
    clock = Clock()
    loop = make_loop(clock, viewer_seconds=60.0, cache_entries=0)
    viewer = loop.watch("a", CFG)
    assert viewer.step(10).step == 10
    clock.now += 61
    loop.release("someone else")  # any trim forgets viewers unseen for viewer_seconds
    assert loop.recording(CFG) == ()
    assert viewer.pause().step == 10 and viewer.step(10).step == 20  # the run is made again
    assert loop.recording(CFG)[-1].step == 20 and loop.steps_taken(CFG) == 20


def test_a_replaced_viewer_no_longer_keeps_its_run():
    loop = make_loop(cache_entries=0)
    old = loop.watch("a", CFG.replace(seed=1))
    loop.watch("a", CFG.replace(seed=2))  # new settings in the same slot
    assert loop.recording(CFG.replace(seed=1)) == ()
    old.pause()  # an older rerun still reads it
    loop.release("someone else")
    assert loop.recording(CFG.replace(seed=1)) == ()


def test_concurrent_step_requests_never_interleave():
    loop = make_loop()
    viewers = [loop.watch(owner, CFG) for owner in ("a", "b", "c")]
    problems, results = [], {}

    def press_step(viewer):
        try:
            results[viewer.owner] = [viewer.step(30).step for _ in range(3)]
            with viewer.holding() as run:  # reading the run itself, with the loop kept off it
                results[viewer.owner + "_samples"] = run.sample(50)
        except Exception as problem:  # noqa: BLE001 - the test reports any
            problems.append(problem)

    threads = [threading.Thread(target=press_step, args=(v,)) for v in viewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(STALL_SECONDS)
    assert problems == [] and all(results[o] == [30, 60, 90] for o in "abc")
    assert loop.steps_taken(CFG) == 90
    assert_same_frame(viewers[0].frame, CFG)
    assert np.array_equal(results["a_samples"], ganplay.Trainer(CFG).step(90).sample(50))


def test_a_run_held_for_reading_is_not_stepped_and_does_not_hold_up_the_others():
    long = CFG.replace(steps=5000)
    loop = make_loop()
    held, other = loop.watch("a", long.replace(seed=1)), loop.watch("b", long.replace(seed=2))
    wait_until(lambda: held.read().step >= 5 and other.read().step >= 5, "both runs train")
    with held.holding() as run:
        steps = run.step_count
        mark = loop.steps_taken(other.config)
        wait_until(lambda: held.read() and other.read() and loop.steps_taken(other.config) > mark + 20,
                   "the other run trains meanwhile")
        assert run.step_count == steps == loop.steps_taken(held.config)
    held.pause()
    other.pause()


def test_a_reader_waiting_for_a_run_keeps_the_loop_off_it_until_it_has_read():
    """A Lock is not fair: the loop re-took it so soon after each chunk that, on a busy machine, a page reading
    its run waited for minutes. A waiting reader now has the next turn."""
    loop = make_loop(chunk_seconds=0.05)
    viewer = loop.watch("a", CFG.replace(steps=50_000))
    wait_until(lambda: viewer.read().step >= 5, "the run trains")
    entry = loop._entries[viewer.key]
    entry.readers += 1  # a reader arrives (as holding() counts it) while the loop trains
    with entry.lock:  # it gets the run once the chunk in flight ends
        steps = entry.run.step_count
    turns = entry.turn_seconds
    # the loop has its turns at the run, each spent waiting, and steps nothing while the reader is there
    wait_until(lambda: viewer.read() and entry.turn_seconds > turns + 0.2, "the loop takes its turns")
    assert entry.run.step_count == steps and lock_batch([entry], 0.0) == []
    entry.readers -= 1
    wait_until(lambda: viewer.read() and loop.steps_taken(viewer.config) > steps, "the loop trains it again")
    viewer.pause()


def test_reading_a_runs_data_does_not_wait_for_the_loop():
    """Every frame of the Playground reads the run's data: it must not queue behind the loop's chunk."""
    from ganplay.ui.live import LiveRun
    loop = make_loop()
    run = LiveRun(loop.watch("a", CFG))
    entry = loop._entries[run.viewer.key]
    with entry.lock:  # the loop in the middle of a chunk
        read = []
        reader = threading.Thread(target=lambda: read.append(run.data))
        reader.start()
        reader.join(STALL_SECONDS)
    assert read == [entry.run.data]


def test_two_reruns_of_one_session_pressing_step_and_reading_leave_one_consistent_run():
    loop = make_loop()
    viewer = loop.watch("a", CFG)
    problems = []

    def rerun(action):
        try:
            for _ in range(3):
                action()
        except Exception as problem:  # noqa: BLE001 - the test reports any
            problems.append(problem)

    threads = [threading.Thread(target=rerun, args=(action,))
               for action in (lambda: viewer.step(20), lambda: viewer.step(20), viewer.read, viewer.pause)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(STALL_SECONDS)
    wait_until(lambda: not loop.running, "the loop stops")
    assert problems == [] and 20 <= viewer.frame.step <= CFG.steps
    assert loop.steps_taken(CFG) == loop.recording(CFG)[-1].step
    assert_same_frame(viewer.frame, CFG)


def test_step_while_paused_moves_exactly_n_steps():
    loop = make_loop(chunk_seconds=1.0)  # a chunk larger than the step: the loop must stop at it
    viewer = loop.watch("a", CFG)
    assert viewer.step(100).step == 100 and viewer.step(100).step == CFG.steps
    assert_same_frame(viewer.frame, CFG)
    assert loop.steps_taken(CFG) == CFG.steps


def test_a_chunk_is_bounded_in_time_not_in_steps():
    asked = []

    class Slow(ganplay.Trainer):
        def step(self, n=1):
            asked.append(n)
            time.sleep(0.01 * n)  # at least 10 ms a step, however fast the machine
            return super().step(n)

    loop = make_loop(make_run=Slow, chunk_seconds=0.05)
    viewer = loop.watch("a", CFG)
    wait_until(lambda: viewer.read().step >= 40, "the run trains")
    viewer.pause()
    wait_until(lambda: not loop.running, "the loop stops")
    assert asked[0] == 1 and max(asked) <= 5


def test_runs_share_the_loop_fairly_in_time_whatever_their_speed():
    spent = {1: 0.0, 2: 0.0}

    class Timed(ganplay.Trainer):
        def step(self, n=1):
            began = time.perf_counter()
            if self.config.seed == 1:
                time.sleep(0.03 * n)  # a heavy run: one step outlasts a whole chunk of the light one
            super().step(n)
            spent[self.config.seed] += time.perf_counter() - began
            return self

    loop = make_loop(make_run=Timed, chunk_seconds=0.01)
    long = CFG.replace(steps=5000)  # other rates: never one stack
    heavy, light = loop.watch("a", long.replace(seed=1, lr_g=5e-4)), loop.watch("b", long.replace(seed=2))
    heavy.read(), light.read()
    wait_until(lambda: loop.steps_taken(heavy.config) >= 15, "the heavy run trains")
    heavy.pause(), light.pause()
    wait_until(lambda: not loop.running, "the loop stops")
    assert spent[2] >= 0.5 * spent[1]  # taking turns by count would give the light run about a third


def test_a_run_whose_single_step_is_too_slow_is_refused():
    class Slow(ganplay.Trainer):
        def step(self, n=1):
            busy_until = time.thread_time() + 0.05 * n  # computing, not waiting: CPU time is what counts
            while time.thread_time() < busy_until:
                pass
            return super().step(n)

    loop = make_loop(make_run=Slow, max_step_seconds=0.02)
    viewer = loop.watch("a", CFG)
    with pytest.raises(LiveLimit, match="more than the 0.02 s a shared live run may take"):
        wait_until(lambda: viewer.read() and False, "the refusal is reported")
    wait_until(lambda: not loop.running, "the loop stops")
    assert loop.steps_taken(CFG) == 1


def test_a_step_slowed_by_a_busy_machine_is_not_refused():
    """Waiting for the CPU (other processes, other threads) is not these settings' cost."""
    class Waiting(ganplay.Trainer):
        def step(self, n=1):
            time.sleep(0.05 * n)
            return super().step(n)

    loop = make_loop(make_run=Waiting, max_step_seconds=0.02)
    viewer = loop.watch("a", CFG)
    wait_until(lambda: viewer.read().step >= 20, "the run trains on")


def test_the_thread_exits_when_idle_and_comes_back_on_demand():
    loop = make_loop()
    viewer = loop.watch("a", CFG)
    assert not loop.running
    viewer.read()
    assert loop.running
    viewer.pause()
    wait_until(lambda: not loop.running, "the loop stops")
    play_to_end(viewer)
    wait_until(lambda: not loop.running, "the loop stops after the end")


def test_train_to_end_trains_once_for_every_caller():
    loop = make_loop()
    results, progress = [], []
    def wait_for_the_end():
        results.append(loop.train_to_end(CFG, progress=lambda *p: progress.append(p), poll_seconds=0.01))

    threads = [threading.Thread(target=wait_for_the_end) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(STALL_SECONDS)
    assert len(results) == 3 and results[0] is results[1] is results[2]
    assert results[0].step_count == CFG.steps and loop.steps_taken(CFG) == CFG.steps
    assert np.array_equal(results[0].sample(100), ganplay.train(CFG).sample(100))
    assert all(total == CFG.steps and 0 <= step <= total for step, total in progress)
    assert loop.train_to_end(CFG) is results[0]  # finished: from the cache, nothing trains


def test_train_to_end_stops_when_its_caller_stops_waiting():
    long = CFG.replace(steps=50_000)
    loop = make_loop()

    def stop_the_page(step, steps):
        if step >= 5:
            raise KeyboardInterrupt("the page was stopped")

    with pytest.raises(KeyboardInterrupt):
        loop.train_to_end(long, progress=stop_the_page, poll_seconds=0.01)
    wait_until(lambda: not loop.running, "the loop stops")
    assert 5 <= loop.steps_taken(long) < long.steps


def test_train_to_end_refuses_a_training_longer_than_its_limit():
    long = CFG.replace(steps=50_000)
    loop = make_loop()
    with pytest.raises(LiveLimit, match="more than the 1 s"):
        loop.train_to_end(long, max_seconds=1.0, poll_seconds=0.01)
    wait_until(lambda: not loop.running, "the loop stops")


def test_the_registry_is_bounded():
    clock = Clock()
    loop = make_loop(clock, max_live=2, cache_entries=1)
    loop.watch("a", CFG.replace(seed=1))
    clock.now += 1
    loop.watch("b", CFG.replace(seed=2))
    with pytest.raises(LiveLimit, match="2 runs"):
        loop.watch("c", CFG.replace(seed=3))
    loop.release("a")
    loop.release("b")
    kept = [loop.recording(CFG.replace(seed=s)) != () for s in (1, 2)]
    assert kept == [False, True]  # the least recently used idle run went


def test_a_failing_frame_is_reported_and_leaves_other_runs_training():
    def frame_of(run):
        if run.config.seed == 1 and run.step_count > 0:
            raise ValueError("no picture")
        return run.snapshot()

    loop = make_loop(frame_of=frame_of)
    broken, fine = loop.watch("a", CFG.replace(seed=1)), loop.watch("b", CFG)
    with pytest.raises(RuntimeError, match="no picture"):
        wait_until(lambda: broken.read() and False, "the failure is reported")
    assert play_to_end(fine)[-1].step == CFG.steps


def test_a_recording_is_thinned_evenly_within_its_bounds():
    frame = lambda step: LiveFrame(step, "training", np.zeros(10))  # noqa: E731
    recording = Recording(frame(0), max_frames=50, max_bytes=2 ** 20)
    for step in range(1, 1000):
        recording.add(frame(step))
    recording.add(LiveFrame(1000, "done", np.zeros(10)))
    steps = [f.step for f in recording.frames]
    assert len(steps) <= 50 and steps[0] == 0 and steps[-1] == 1000 and recording.head.step == 1000
    gaps = np.diff(steps[:-1])
    assert gaps.max() == gaps.min() and len(steps) > 25
    assert recording.at(500.5).step == max(s for s in steps if s <= 500.5)
    small = Recording(frame(0), max_frames=1000, max_bytes=20 * 80)
    for step in range(1, 100):
        small.add(frame(step))
    assert small.bytes <= 20 * 80 and small.frames[0].step == 0


def test_own_data_is_keyed_by_its_content():
    points = np.random.default_rng(0).normal(size=(300, 2))
    cfg = CFG.replace(dataset="csv", steps=20)
    clock = Clock()
    loop = make_loop(clock)
    first, same = ganplay.from_array(points), ganplay.from_array(points.copy())
    other = ganplay.from_array(points + 1)
    a, b, c = loop.watch("a", cfg, first), loop.watch("b", cfg, same), loop.watch("c", cfg, other)
    assert a.key == b.key != c.key
    for viewer in (a, b, c):
        play_to_end(viewer, clock)
    assert loop.steps_taken(cfg, first) == loop.steps_taken(cfg, other) == cfg.steps
    assert np.array_equal(a.frame.value.fake, ganplay.Trainer(cfg, first).step(20).snapshot().fake)
