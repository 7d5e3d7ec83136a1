R"PYTHON(" and None  # "
# The first line above and the last line below make this file both a Python script and a C++
# raw string literal: office_converter.cpp #includes it and writes the text to the pool's
# base directory at start, so the server has no install path to find. The raw string's closing
# delimiter (right parenthesis, the word PYTHON, double quote) must not occur above the end.
#
# faxgate LibreOffice bridge: one long-lived process per pool instance, run by Debian's
# /usr/bin/python3 (the interpreter that has the `uno` module).
#
#   libreoffice_bridge.py SOFFICE PROFILE_DIR PIPE_NAME
#
# Starts soffice headless with its own profile, listening on a named pipe, connects over UNO
# and then serves requests, one JSON object per line on stdin:
#   {"in": "/abs/input.docx", "out": "/abs/output.pdf"}
# answering one JSON line on stdout:
#   {"ok": true, "filter": "writer_pdf_Export"} or {"ok": false, "error": "..."}
# The first line on stdout is {"ready": true} once soffice accepts connections. When the
# connection to soffice is lost the bridge says so and exits; the server restarts it.
import json
import os
import subprocess
import sys
import time
import traceback

import uno
from com.sun.star.beans import PropertyValue

FILTERS = [
    ("com.sun.star.text.WebDocument", "writer_web_pdf_Export"),
    ("com.sun.star.text.GlobalDocument", "writer_globaldocument_pdf_Export"),
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
]


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def start_soffice(soffice, profile, pipe):
    args = [soffice, "--headless", "--invisible", "--nologo", "--norestore", "--nodefault",
            "--nolockcheck", "--nofirststartwizard",
            "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
            "--accept=pipe,name=%s;urp;" % pipe]
    # soffice stays in the bridge's process group: the server kills the group as a whole.
    return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def connect(proc, pipe, seconds):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            ctx = resolver.resolve(
                "uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            if proc.poll() is not None:
                raise RuntimeError("soffice exited with status %s while starting" % proc.returncode)
            if time.monotonic() > deadline:
                raise RuntimeError("soffice did not accept connections within %d s" % seconds)
            time.sleep(0.05)


def convert(desktop, src, dst):
    load = (prop("Hidden", True), prop("ReadOnly", True),
            # Never run macros, never update links to other files or the network.
            prop("MacroExecutionMode", 0), prop("UpdateDocMode", 0))
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, load)
    if doc is None:
        return {"ok": False, "error": "LibreOffice cannot open this file"}
    try:
        flt = next((f for service, f in FILTERS if doc.supportsService(service)), None)
        if flt is None:
            return {"ok": False, "error": "LibreOffice opened it as an unsupported kind"}
        doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", flt),))
        return {"ok": True, "filter": flt}
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()


def is_connection_lost(exc):
    name = type(exc).__name__
    return "DisposedException" in name or "RuntimeException" in name and "Binary URP" in str(exc)


def main():
    soffice, profile, pipe = sys.argv[1], sys.argv[2], sys.argv[3]
    proc = start_soffice(soffice, profile, pipe)
    try:
        desktop = connect(proc, pipe, 60)
    except Exception as e:
        reply({"ready": False, "error": str(e)})
        return 1
    reply({"ready": True})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            reply(convert(desktop, request["in"], request["out"]))
        except Exception as e:
            if proc.poll() is not None or is_connection_lost(e):
                reply({"ok": False, "error": "LibreOffice stopped: %s" % e, "fatal": True})
                return 1
            message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            reply({"ok": False, "error": message[:300]})
    # stdin closed: the server is shutting the pool down.
    try:
        desktop.terminate()
    except Exception:
        pass
    try:
        proc.wait(timeout=5)
    except Exception:
        proc.kill()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:
        traceback.print_exc()
        sys.exit(1)
# )PYTHON"
