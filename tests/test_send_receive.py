"""A fax sent through the loopback trunk arrives in the called user's inbox, pixel-identical."""
import time

from conftest import FAST
from tiffpages import below_tag_line, read_pages


def test_three_pages_arrive_pixel_identical(daemon, sample, tmp_path):
    out = daemon.cli("send", "-d", "8001", "--wait", str(sample))
    assert "succeeded" in out.stdout
    job_id = int(out.stdout.split("request id is ")[1].split()[0])
    job = daemon.fax(job_id)
    assert job["status"] == "succeeded"
    assert job["pages_sent"] == 3
    assert len(job["attempts"]) == 1
    assert job["attempts"][0]["result"] == "none"
    assert job["attempts"][0]["bit_rate"] == 14400

    received = daemon.inbound("received")
    assert len(received) == 1
    fax = received[0]
    assert fax["owner"] == "demo" and fax["called_number"] == "8001" and fax["pages"] == 3

    got = tmp_path / "got.tif"
    daemon.cli("recv", "get", str(fax["id"]), "-o", str(got))
    sent = tmp_path / "sent.tif"
    daemon.cli("recv", "get", str(job_id), "-o", str(sent))
    # What arrived is exactly what was sent: the document with the tag line drawn on top.
    assert read_pages(got) == read_pages(sent)
    assert below_tag_line(read_pages(got)) == below_tag_line(read_pages(sample))
    assert read_pages(got) != read_pages(sample)  # the tag line is there


def test_stat_shows_the_received_fax_in_faxstat_columns(daemon, sample):
    daemon.cli("send", "-d", "8001", "--wait", str(sample))
    out = daemon.cli("stat", "-r").stdout
    assert "faxgate scheduler on" in out
    assert "Protect Page  Owner        Sender/TSI  Recvd@ Filename" in out
    row = [line for line in out.splitlines() if line.startswith("-rw-r--")][0]
    assert row.split()[1] == "3" and "demo" in row
    done = daemon.cli("stat", "-d").stdout
    assert "JID  Pri S  Owner Number       Pages Dials     TTS Status" in done
    assert " D  admin 8001" in done


def test_fax_to_a_number_nobody_has_fails_without_retry(daemon, sample):
    (job,) = daemon.send(["8123"], [sample])
    f = daemon.wait_final(job)
    assert f["status"] == "failed"
    assert "no user has the fax number 8123" in f["status_text"]
    assert len(f["attempts"]) == 1


def test_busy_then_success(make_daemon, sample):
    d = make_daemon(FAST + 'busy = ["8009"]\nfail_count = 1\n')
    assert d.post("/api/v1/users", json={"name": "bob", "fax_number": "8009"}).status_code == 201
    assert d.patch("/api/v1/settings", json={"retry_busy_s": "1"}).status_code == 200
    (job,) = d.send(["8009"], [sample])
    f = d.wait_final(job)
    assert f["status"] == "succeeded", f
    results = [a["result"] for a in f["attempts"]]
    assert results == ["busy", "none"]
    assert "Busy" in f["attempts"][0]["reason"]
    assert f["dials"] == 2 and f["tries"] == 1


def test_drop_after_page_two_resumes_from_page_three(make_daemon, sample):
    d = make_daemon(FAST + 'drop_after_pages = { "8006" = 2 }\nfail_count = 1\n')
    assert d.post("/api/v1/users", json={"name": "carol", "fax_number": "8006"}).status_code == 201
    assert d.patch("/api/v1/settings", json={"retry_interval_s": "1"}).status_code == 200
    (job,) = d.send(["8006"], [sample])
    f = d.wait_final(job)
    assert f["status"] == "succeeded", f
    first, second = f["attempts"]
    assert first["result"] == "hung_up" and first["pages_sent"] == 2
    assert second["first_page"] == 3 and second["pages_sent"] == 1
    assert f["pages_sent"] == 3

    faxes = sorted(d.inbound(), key=lambda x: x["id"])
    assert [x["pages"] for x in faxes] == [2, 1]
    sent = d.data_dir / "sent.tif"
    sent.write_bytes(d.get(f"/api/v1/faxes/{f['id']}/file").content)
    page3 = read_pages(sent)[2]
    got = d.get(f"/api/v1/faxes/{faxes[1]['id']}/file")
    path = d.data_dir / "second.tif"
    path.write_bytes(got.content)
    assert read_pages(path) == [page3]


def test_cancel_while_sending_hangs_up(make_daemon, sample):
    d = make_daemon('[loopback]\npace = "realtime"\n')
    (job,) = d.send(["8001"], [sample])
    deadline = time.time() + 30
    while d.fax(job)["status"] != "sending":
        assert time.time() < deadline
        time.sleep(0.05)
    r = d.post(f"/api/v1/faxes/{job}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    deadline = time.time() + 30
    while "faxgate_calls_active 0" not in d.get("/metrics").text:
        assert time.time() < deadline, "the call was not hung up"
        time.sleep(0.1)
    f = d.fax(job)
    assert f["status"] == "cancelled"
    assert f["attempts"][0]["result"] == "cancelled"
    again = d.post(f"/api/v1/faxes/{job}/cancel")
    assert again.status_code == 409 and "already" in again.json()["error"]["message"]
