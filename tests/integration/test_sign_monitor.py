"""`sign`'s progress and RouterOS's monitor arguments (once, interval, duration, do, file/append, as-value)
through the real console binary, against golden transcripts (issue 16).

tests/golden/manual_v7/webfig_sign.txt is the MikroTik manual's own transcript (WebFig page: `/certificate/sign`
answers `progress: done`); tests/golden/monitor/sign_monitor.txt is certos's, each command with its output, so
a change to what a user sees shows as a diff. REST and API replies are checked in test_rest_api.py and
test_api.py."""

from pathlib import Path

from cli import run

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

# The manual's WebFig recipe: a root CA, then a certificate signed by it (the manual's lines as written).
MANUAL_LINES = [
    "certificate add name=local-cert common-name=local-cert key-usage=key-cert-sign,crl-sign",
    "/certificate/sign local-cert",
    "certificate add name=WebFig common-name=192.168.88.1",
    "certificate sign WebFig",
]

MONITOR_LINES = [
    "/certificate add name=ec1 common-name=ec1 key-size=prime256v1",
    "/certificate add name=ec2 common-name=ec2 key-size=prime256v1",
    "/certificate add name=ec3 common-name=ec3 key-size=prime256v1",
    "/certificate add name=ec4 common-name=ec4 key-size=prime256v1",
    "/certificate add name=big common-name=big key-size=8192",
    "/certificate sign ec1 once",
    ':put [/certificate sign ec2 as-value]',
    '{:local seen ""; /certificate sign ec3 do={:set seen ($seen . "<" . $progress . ">")}; :put $seen}',
    "/certificate sign ec4 file=sign-log",
    ':put [/file get sign-log.txt contents]',
    # An RSA-8192 key takes far longer than a second: duration=1s stops it, and the template stays a template.
    "/certificate sign big duration=1s",
    ':put [/certificate get big fingerprint]',
    "/certificate sign big freeze-frame-interval=1s",
    "/certificate sign big interval=0s",
    '/certificate sign big do="nothing"',
    "/certificate print count-only where fingerprint",
]


def transcript(data, lines):
    """Runs each line as `certos -c LINE` and returns `> LINE` followed by what it printed (out, then err). The
    data directory is made first, so the first start's notice (how to log in) is not part of it."""
    run(data, "/certificate print count-only")
    text = ""
    for line in lines:
        _, stdout, stderr = run(data, line, check=False)
        text += f"> {line}\n{stdout}{stderr}"
    return text


def without_key_generation_statuses(text):
    """Drops `progress: generating rsa 2048 key (1s)` lines: whether an RSA-2048 key takes a second depends on
    the machine (the manual's router took less); the final `progress: done` is what the manual shows."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("  progress: generating"))


def test_sign_prints_progress_as_the_manual_shows(tmp_path):
    assert without_key_generation_statuses(transcript(tmp_path, MANUAL_LINES)) == (
        GOLDEN / "manual_v7" / "webfig_sign.txt").read_text()


def test_sign_monitor_arguments_transcript(tmp_path):
    assert transcript(tmp_path, MONITOR_LINES) == (GOLDEN / "monitor" / "sign_monitor.txt").read_text()


def test_duration_leaves_the_template_unchanged_and_it_signs_later(tmp_path):
    for line in MONITOR_LINES[:5]:
        run(tmp_path, line)
    code, _, stderr = run(tmp_path, "/certificate sign big duration=1s", check=False)
    assert code == 1 and "stopped after duration=1s" in stderr
    # The template is as it was: it can still be changed as a template, and signs with a smaller key.
    run(tmp_path, "/certificate set big key-size=prime256v1")
    _, stdout, _ = run(tmp_path, "/certificate sign big duration=1m")
    assert stdout == "  progress: done\n"
