"""kill -9 in the middle of a 20-job run loses nothing: after a restart every job is delivered."""
import time

from conftest import FAST


def test_kill9_during_twenty_jobs_then_all_delivered(make_daemon, sample):
    d = make_daemon(FAST)
    jobs = d.send(["8001"] * 20, [sample])
    assert len(jobs) == 20

    deadline = time.time() + 120
    while True:
        states = [d.fax(j)["status"] for j in jobs]
        if states.count("succeeded") >= 3:
            break
        assert time.time() < deadline, states
        time.sleep(0.05)
    d.kill9()
    assert any(s != "succeeded" for s in states), "all were done before the crash; nothing tested"

    d.start()
    finals = [d.wait_final(j, timeout=300) for j in jobs]
    assert [f["status"] for f in finals] == ["succeeded"] * 20
    interrupted = [a for f in finals for a in f["attempts"] if a["result"] == "interrupted"]
    assert interrupted, "no call was in progress at the crash"
    for f in finals:
        assert all(a["ended_at"] for a in f["attempts"])
    # What the recipient sees: all 20 x 3 pages are in the inbox. A fax resumed after the crash
    # arrives in two pieces, as on a real line; a reception cut by the crash is marked failed but
    # keeps the pages that had arrived, and every piece can be opened.
    pieces = [x for x in d.inbound() if x["pages"] > 0]
    assert sum(x["pages"] for x in pieces) >= 60, [(x["status"], x["pages"]) for x in pieces]
    for x in pieces:
        assert d.get(f"/api/v1/faxes/{x['id']}/file").status_code == 200, x
