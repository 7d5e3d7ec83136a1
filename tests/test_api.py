"""The REST API's contract: authentication, errors with stable codes, users, metrics."""
import time

import requests


def test_healthz_and_metrics_need_no_token(daemon):
    assert requests.get(daemon.url + "/healthz").json() == {"status": "ok"}
    m = requests.get(daemon.url + "/metrics").text
    assert 'faxgate_jobs{state="queued"} 0' in m
    assert "faxgate_calls_active 0" in m
    assert 'faxgate_line_up{trunk="loopback"} 1' in m


def test_requests_without_a_token_are_refused(daemon):
    r = requests.get(daemon.url + "/api/v1/faxes")
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    r = daemon.get("/api/v1/faxes", token="fgt_wrong")
    assert r.status_code == 401


def test_bad_number_is_refused_with_the_reason(daemon, sample):
    r = daemon.post("/api/v1/faxes", data=[("to", "12ab")],
                    files=[("file", ("a.tif", sample.read_bytes(), "image/tiff"))])
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "invalid_argument" and "12ab" in err["message"]


def test_unknown_file_type_is_refused_by_name(daemon):
    r = daemon.post("/api/v1/faxes", data=[("to", "8001")],
                    files=[("file", ("report.pdf", b"\x7fELF\x02\x01\x01" + bytes(200), "application/pdf"))])
    assert r.status_code == 400
    message = r.json()["error"]["message"]
    assert "report.pdf" in message and "unknown file type" in message
    assert daemon.get("/api/v1/faxes").json()["faxes"] == []


def test_broken_pdf_fails_its_job_with_the_reason_and_is_never_dialled(daemon):
    r = daemon.post("/api/v1/faxes", data=[("to", "8001")],
                    files=[("file", ("report.pdf", b"%PDF-1.4 hello", "application/pdf"))])
    assert r.status_code == 202
    fax_id = r.json()["faxes"][0]["id"]
    f = None
    deadline = time.time() + 60
    while f is None or f["status"] not in ("failed", "succeeded", "cancelled"):
        assert time.time() < deadline, f
        time.sleep(0.2)
        f = daemon.fax(fax_id)
    assert f["status"] == "failed" and f["last_failure"] == "document"
    assert "report.pdf" in f["status_text"]
    assert f["dials"] == 0 and f["attempts"] == []


def test_users_tokens_and_permissions(daemon, sample):
    r = daemon.post("/api/v1/users", json={"name": "dave", "fax_number": "8010", "email": "d@example.com"})
    assert r.status_code == 201
    password = r.json()["password"]
    assert len(password) == 16
    dup = daemon.post("/api/v1/users", json={"name": "erin", "fax_number": "8010"})
    assert dup.status_code == 409 and "8010" in dup.json()["error"]["message"]

    token = daemon.post("/api/v1/tokens", json={"user": "dave", "name": "crm"}).json()["token"]
    me = daemon.get("/api/v1/users/dave", token=token)
    assert me.status_code == 200 and me.json()["fax_number"] == "8010"
    assert daemon.get("/api/v1/users", token=token).status_code == 403
    basic = requests.get(daemon.url + "/api/v1/users/dave", auth=("dave", password))
    assert basic.status_code == 200

    intl = daemon.post("/api/v1/faxes", token=token, data=[("to", "+1 604 555 7977")],
                       files=[("file", ("a.tif", sample.read_bytes(), "image/tiff"))])
    assert intl.status_code == 403 and "international" in intl.json()["error"]["message"]


def test_scheduled_job_waits_and_can_be_listed_by_status(daemon, sample):
    ids = daemon.send(["8001"], [sample], send_at="+1h", priority=10)
    f = daemon.fax(ids[0])
    deadline = time.time() + 60
    while f["status"] == "preparing":  # its document is being converted
        assert time.time() < deadline, f
        time.sleep(0.1)
        f = daemon.fax(ids[0])
    assert f["status"] == "scheduled" and f["priority"] == 10
    listed = daemon.get("/api/v1/faxes?status=scheduled").json()["faxes"]
    assert [x["id"] for x in listed] == ids
    out = daemon.cli("stat", "-s").stdout
    assert f"{ids[0]:<4}  10 P" in out
    assert daemon.cli("rm", str(ids[0])).returncode == 0
    assert daemon.fax(ids[0])["status"] == "cancelled"


def test_unknown_route_and_method(daemon):
    assert daemon.get("/api/v1/nothing").status_code == 404
    r = requests.delete(daemon.url + "/api/v1/faxes", headers=daemon.headers())
    assert r.status_code == 405
