"""CoreShare (index/cores.py): a server's processes count who is encoding, so a lone question
gets every core and two at once one each (KB_WORKERS > 1)."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from index import cores
from index.batching import QueryBatcher
from index.cores import CoreShare
from tests.test_batching import FakeEmbedder, wait_until


def test_each_process_has_its_own_slot_and_reads_the_others(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cores, "RECENT", 0.0)  # "encoding" means now, here
    first, second = CoreShare(tmp_path, 2), CoreShare(tmp_path, 2)
    try:
        assert {first.slot, second.slot} == {0, 1}
        assert first.others_encoding() == second.others_encoding() == 0
        first.encoding(True)
        assert second.others_encoding() == 1 and first.others_encoding() == 0
        first.encoding(False)
        assert second.others_encoding() == 0
    finally:
        first.close()
        second.close()


def test_two_servers_on_one_data_dir_count_every_process(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A blue/green switch runs two `kb serve` (KB_WORKERS=2 each) on one data dir for a while. Each
    # server's processes once sized the table for themselves alone, so the second server's had no
    # slot: invisible to the first's, they took every core while those encoded.
    monkeypatch.setattr(cores, "RECENT", 0.0)
    blue = [CoreShare(tmp_path, 2), CoreShare(tmp_path, 2)]
    green = [CoreShare(tmp_path, 2), CoreShare(tmp_path, 2)]
    try:
        assert len({share.slot for share in blue + green}) == 4 and None not in {s.slot for s in green}
        green[0].encoding(True)
        blue[1].encoding(True)
        assert blue[0].others_encoding() == 2 and green[1].others_encoding() == 2
        assert green[0].others_encoding() == 1
    finally:
        for share in blue + green:
            share.close()


def test_a_process_too_many_reads_the_others_and_is_not_counted(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cores, "RECENT", 0.0)
    monkeypatch.setattr(cores, "TABLE_SLOTS", 2)
    first, second = CoreShare(tmp_path, 2), CoreShare(tmp_path, 2)
    third = CoreShare(tmp_path, 2)
    try:
        first.encoding(True)
        assert third.slot is None and third.others_encoding() == 1
        third.encoding(True)
        assert second.others_encoding() == 1
    finally:
        for share in (first, second, third):
            share.close()


def test_a_killed_process_never_counts_as_encoding_for_ever(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cores, "CHECK_AFTER", 3600.0)  # here its replacement clears the mark
    child = _encoding_child(tmp_path)
    try:
        watching = CoreShare(tmp_path, 2)
        assert watching.slot == 1 and watching.others_encoding() == 1  # the child, inside its encode
        child.send_signal(signal.SIGKILL)  # killed in the middle: its mark stays "encoding now"
        child.wait(30)
        assert watching.others_encoding() == 1  # for a moment (an encode may just be long)
        restarted = CoreShare(tmp_path, 2)  # the supervisor's replacement takes the free slot
        assert restarted.slot == 0 and watching.others_encoding() == 0
        restarted.close()
        watching.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)


def test_the_lead_takes_every_core_only_while_no_other_process_encodes(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import batching

    calls: list[int] = []
    monkeypatch.setattr(batching, "set_torch_threads", lambda n: calls.append(n))
    monkeypatch.setattr(batching, "torch_threads", lambda: 2)
    monkeypatch.setattr(cores, "RECENT", 0.0)
    other = CoreShare(tmp_path, 2)  # the other server process
    inner = FakeEmbedder()
    inner.release.set()
    batcher = QueryBatcher(inner, processes=2, share=CoreShare(tmp_path, 2))  # type: ignore[arg-type]
    try:
        assert len(batcher._workers) == 1  # one encoding thread per process on two cores
        batcher.encode_queries(["alene"])
        other.encoding(True)
        batcher.encode_queries(["sammen med den anden proces"])
        other.encoding(False)
        batcher.encode_queries(["alene igen"])
        assert calls == [2, 1, 2]
        assert other.others_encoding() == 0  # and this process says when it is done
    finally:
        batcher.close()
        other.close()


def test_a_process_encoding_is_seen_by_the_other(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import batching

    monkeypatch.setattr(batching, "set_torch_threads", lambda n: None)
    other = CoreShare(tmp_path, 2)
    inner = FakeEmbedder()  # its first call waits for the test
    batcher = QueryBatcher(inner, processes=2, share=CoreShare(tmp_path, 2))  # type: ignore[arg-type]
    asking = threading.Thread(target=batcher.encode_queries, args=(["tvangsægteskab"],))
    asking.start()
    try:
        wait_until(lambda: len(inner.calls) == 1)
        assert other.others_encoding() == 1
        inner.release.set()
        asking.join(30)
        assert other.others_encoding() == 1  # a moment after, still: the next batch is likely near
        wait_until(lambda: other.others_encoding() == 0)  # RECENT later, not
    finally:
        inner.release.set()
        batcher.close()
        other.close()


def test_without_a_share_each_process_keeps_to_its_share_of_the_cores(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import batching

    calls: list[int] = []
    monkeypatch.setattr(batching, "set_torch_threads", lambda n: calls.append(n))
    monkeypatch.setattr(batching, "torch_threads", lambda: 4)
    inner = FakeEmbedder()
    inner.release.set()
    batcher = QueryBatcher(inner, processes=2)  # type: ignore[arg-type]
    try:
        batcher.encode_queries(["alene"])
    finally:
        batcher.close()
    assert max(calls) == 2 and len(batcher._workers) == 2  # the lead: 4 cores ÷ 2 processes


def test_a_process_counts_as_encoding_a_moment_after_its_encode(tmp_path: Path) -> None:
    """Under load a process's encodes follow one another milliseconds apart: the other process must
    not take every core in each gap (its threads and these would stall one another)."""
    first, second = CoreShare(tmp_path, 2), CoreShare(tmp_path, 2)
    try:
        first.encoding(True)
        first.encoding(False)
        assert second.others_encoding() == 1
        time.sleep(cores.RECENT * 2)
        assert second.others_encoding() == 0
    finally:
        first.close()
        second.close()


def test_a_process_without_a_slot_takes_one_that_is_freed(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # More processes than the table holds: once one is gone, the slotless one must count again.
    monkeypatch.setattr(cores, "RECENT", 0.0)
    monkeypatch.setattr(cores, "CLAIM_RETRY", 0.0)
    monkeypatch.setattr(cores, "TABLE_SLOTS", 2)
    old, other = CoreShare(tmp_path, 2), CoreShare(tmp_path, 2)
    replacement = CoreShare(tmp_path, 2)
    try:
        assert replacement.slot is None
        old.close()  # retired after its replacement is ready
        replacement.encoding(True)
        assert replacement.slot == 0 and other.others_encoding() == 1
        replacement.encoding(False)
        assert other.others_encoding() == 0
    finally:
        replacement.close()
        other.close()


def test_sighup_replacements_count_while_the_processes_they_replace_still_run(tmp_path: Path) -> None:
    # uvicorn starts each replacement before it retires the process it replaces; with a table of
    # KB_WORKERS slots the replacement had none until then.
    old = [CoreShare(tmp_path, 2), CoreShare(tmp_path, 2)]
    replacement = CoreShare(tmp_path, 2)
    try:
        assert replacement.slot is not None
        replacement.encoding(True)
        assert all(share.others_encoding() == 1 for share in old)
    finally:
        for share in [*old, replacement]:
            share.close()


def test_a_killed_process_is_found_out_by_the_others_without_a_replacement(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # With room for more processes than run, nobody need take the dead one's slot: the readers
    # must see for themselves that its "encoding now" has no process behind it.
    monkeypatch.setattr(cores, "CHECK_AFTER", 0.0)
    child = _encoding_child(tmp_path)
    try:
        watching = CoreShare(tmp_path, 2)
        try:
            assert watching.others_encoding() == 1  # alive: its lock is held
            assert watching.others_encoding() == 1
            child.send_signal(signal.SIGKILL)
            child.wait(30)
            assert watching.others_encoding() == 0
            assert watching.others_encoding() == 0  # and the slot is cleared, not re-checked
        finally:
            watching.close()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)


def _encoding_child(folder: Path) -> subprocess.Popen[str]:
    """Another process that takes slot 0 in ``folder`` and stays "encoding now" until it is killed."""
    code = ("import sys, time; sys.path.insert(0, sys.argv[2]); from pathlib import Path; "
            "from index.cores import CoreShare; share = CoreShare(Path(sys.argv[1]), 2); "
            "share.encoding(True); print(share.slot, flush=True); time.sleep(600)")
    child = subprocess.Popen([sys.executable, "-c", code, str(folder), str(Path(__file__).parent.parent)],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "0"
    return child
