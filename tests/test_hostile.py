"""A batch of hostile files through `process --input`: every input gets a record,
the failures are named, nothing crashes, and the good release comes out right."""

import json
import os
import subprocess
import sys

from test_cli import SEED_PAGE_TEXT

_PARAGRAPH = ("<p>Geneva – The International Organization for Migration today welcomed a new "
              "pledge to support displaced families and host communities.</p>")


def hostile_files(root):
    files = {
        "good.txt": SEED_PAGE_TEXT.encode(),
        "empty.html": b"",
        "binary.html": os.urandom(4096) + b"\x00" * 64,
        "deep.html": ("<html><head><title>Deep release</title></head><body>" + "<div>" * 30_000
                      + _PARAGRAPH * 2 + "</div>" * 30_000 + "</body></html>").encode(),
        "invalid-utf8.txt": b"Title \xff\xfe here\n\nBody \xc3\x28 text \xa0\xa1 with bad bytes.\n",
        "bad-bytes.jsonl": b'{"id": "j1", "title": "T", "text": "\xff\xfe"}\n',
        "script.html": ("<html><head><script>alert(1)</script><title>Scripted</title></head><body>"
                        + "<script>document.write('<p>fake</p>')</script><img src=x onerror="
                        "alert(1)><iframe src='javascript:alert(1)'></iframe>" * 50
                        + "</body></html>").encode(),
        "oneword.txt": b"Hello",
        "huge.html": (b"<html><head><title>Huge page</title></head><body><article>"
                      + _PARAGRAPH.encode() * (20_000_000 // len(_PARAGRAPH))
                      + b"</article></body></html>"),
        "control\x1b[2J.txt": b"\x1b[2J\x00Title\x07 with \x1b]0;x\x07 controls\n\n"
                               b"\x00\x1b[31mBody\xc2\x9b text here.\x08\n",
    }
    for name, data in files.items():
        (root / name).write_bytes(data)
    return [root / name for name in files]


def test_a_hostile_batch_gives_one_record_per_input_and_names_each_failure(tmp_path):
    paths = hostile_files(tmp_path)
    out = tmp_path / "out.jsonl"
    # run under a small parent that reports the peak memory of the run alone
    # (RUSAGE_CHILDREN here would count every earlier test's subprocesses)
    command = [sys.executable, "-m", "pipeline", "process", "--input", *map(str, paths),
               "--output", str(out)]
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "r = subprocess.run(sys.argv[1:], stderr=subprocess.PIPE); "
             "sys.stdout.write(f'{time.perf_counter() - t:.1f} '"
             "f'{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n'); "
             "sys.stdout.flush(); sys.stderr.buffer.write(r.stderr); sys.exit(r.returncode)")
    result = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True,
                            timeout=900)
    stderr = result.stderr.decode("utf-8")
    seconds, peak_kb = result.stdout.decode().split()[-2:]
    print(f"hostile batch: {seconds} s, peak RSS {int(peak_kb) // 1024} MB")
    assert int(peak_kb) < 1_000_000, peak_kb  # kB: the whole batch under 1 GB
    assert result.returncode == 1
    assert "Traceback" not in stderr
    records = {r["id"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
    assert set(records) == {p.stem for p in paths}  # one record per input, none lost
    failed = {rid for rid, r in records.items() if r["errors"]}
    assert {"empty", "binary", "bad-bytes", "oneword", "script", "huge"} <= failed
    assert any("too long" in e or "over" in e for e in records["huge"]["errors"]), records["huge"]
    for rid in failed:
        assert f"record {rid}: " in stderr
    # Control characters never reach the terminal, nor the record's text.
    assert not any(c in stderr for c in "\x00\x07\x1b\x9b")
    control = records["control\x1b[2J"]
    assert not any(c in control["title"] + control["text"] for c in "\x00\x07\x1b\x9b\x08")
    # Text nested 30,000 levels deep is found; the good release is right.
    assert records["deep"]["errors"] == [] and "displaced families" in records["deep"]["text"]
    good = records["good"]
    assert good["errors"] == [] and good["primary_theme"] == "border_governance"
    assert good["title"] == "IOM Ghana Hands Over Border Post to Immigration Service"
    assert good["countries"][0]["iso3"] == "GHA"
    assert good["contacts"][0]["email"] == "kboateng@iom.int"
    assert "bad-bytes.jsonl: cannot read: UnicodeDecodeError" in records["bad-bytes"]["errors"][0]
