"""Golden tests of the v7 Certificates seed's own transcripts (issue 16), through the real console binary.

The expected text is the seed's, in tests/golden/seed_v7/ (see its README). Fingerprints, dates and file sizes
are normalised on both sides; nothing else is, except the differences named in KNOWN_DIFFERENCES, each a row
of docs/differences.md.
"""

import re
import subprocess
from pathlib import Path

from cli import out, run

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "seed_v7"

SEED_TEMPLATES = [
    "/certificate add name=CA-Template common-name=CAtemp key-usage=key-cert-sign,crl-sign",
    "/certificate add name=Server common-name=server",
    "/certificate add name=Client common-name=client",
]
SEED_SIGNS = [
    "/certificate sign CA-Template",
    "/certificate sign Client",
    "/certificate sign Server ca-crl-host=192.168.88.1 name=ServerCA",
]
SEED_EXPORTS = [
    "/certificate export-certificate CA-Template",
    "/certificate export-certificate ServerCA export-passphrase=yourpassphrase",
    "/certificate export-certificate Client export-passphrase=yourpassphrase",
]

# The seed's detail legend is early v7's: lower case, seven flag columns. certos prints 7.23's (facts §1.6:
# upper case, nine columns with a - ACME-MANAGED and D - DYNAMIC). docs/differences.md, "print detail legend".
SEED_DETAIL_LEGEND = ("Flags: K - private-key; L - crl; C - smart-card-key; A - authority; I - issued, "
                      "R - revoked; E - expired; T - trusted ")
V723_DETAIL_LEGEND = ("Flags: K - PRIVATE-KEY; L - CRL; C - SMART-CARD-KEY; A - AUTHORITY; I - ISSUED, "
                      "R - REVOKED; E - EXPIRED; T - TRUSTED; a - ACME-MANAGED; D - DYNAMIC ")


def v723_detail(seed):
    """The seed's detail transcript in 7.23's layout: the legend above, and two more flag columns per line."""
    lines = []
    for line in seed.splitlines(keepends=True):
        if line.startswith("Flags: "):
            line = V723_DETAIL_LEGEND + "\n" if line.rstrip("\n") == SEED_DETAIL_LEGEND else line
        elif line.strip():
            line = line[:11] + "  " + line[11:]
        lines.append(line)
    return "".join(lines)


def upper_legend(seed):
    """The seed's sign transcript has early v7's lower-case table legend; its own import transcript, and 7.23,
    show upper case (facts §1.6). docs/differences.md, "print legend case"."""
    return re.sub(r"^Flags: .*$", lambda m: m.group(0).upper().replace("FLAGS:", "Flags:"), seed, count=1,
                  flags=re.M)


def file_columns_to_their_values(seed):
    """The seed's /file table has its TYPE and CREATION-TIME columns one wider than any value shown (the
    router's hidden files, or an edit); certos sizes every column to its values. docs/differences.md,
    "seed /file column widths"."""
    seed = seed.replace("TYPE        SIZE  CREATION-TIME       ", "TYPE       SIZE  CREATION-TIME      ")
    return re.sub(r"(?m)^(\d  \S+ +\.\w+ file) ", r"\1", seed)


KNOWN_DIFFERENCES = {
    "template_print_detail.txt": v723_detail,
    "print_after_sign.txt": upper_legend,
    "file_print_after_export.txt": file_columns_to_their_values,
}


def normalise(text):
    """Fingerprints, dates and sizes are the router's own; every other byte must match."""
    text = re.sub(r"\b[0-9a-f]{64}\b", "F" * 64, text)
    text = re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "YYYY-MM-DD HH:MM:SS", text)
    return re.sub(r"(?<=file)( +)(\d+)(?=  )", lambda m: m.group(1) + "N" * len(m.group(2)), text)


def golden(name):
    text = (GOLDEN / name).read_text()
    return normalise(KNOWN_DIFFERENCES.get(name, lambda t: t)(text))


def seed_session(data):
    for line in SEED_TEMPLATES:
        out(data, line)


def test_template_print_detail_is_the_seeds(tmp_path):
    seed_session(tmp_path)
    assert normalise(out(tmp_path, "/certificate print detail")) == golden("template_print_detail.txt")


def test_print_after_the_three_signs_is_the_seeds(tmp_path):
    seed_session(tmp_path)
    ids = {name: out(tmp_path, f":put [/certificate find name={name}]").strip()
           for name in ("CA-Template", "Server", "Client")}
    for line in SEED_SIGNS:
        assert "progress: done" in out(tmp_path, line)
    # The seed's terminal was narrower than the table: at 80 columns COMMON-NAME is cut to `COMMON`.
    table = run(tmp_path, "/certificate print", env={"COLUMNS": "80"})[1]
    assert normalise(table) == golden("print_after_sign.txt")
    # Signing order in print, yet every certificate kept its template's .id (Terraform reads it back by id).
    assert out(tmp_path, ":put [/certificate get CA-Template .id]").strip() == ids["CA-Template"]
    assert out(tmp_path, ":put [/certificate get ServerCA .id]").strip() == ids["Server"]
    assert out(tmp_path, ":put [/certificate get Client .id]").strip() == ids["Client"]


def test_print_lists_signed_in_signing_order_then_templates_in_order_added(tmp_path):
    for name in ("t1", "t2", "t3", "t4"):
        out(tmp_path, f"/certificate add name={name} common-name={name} key-size=prime256v1")
    out(tmp_path, "/certificate sign t3")
    out(tmp_path, "/certificate sign t1")
    names = out(tmp_path, ":put [/certificate print as-value proplist=name]")
    assert re.findall(r"name=(t\d)", names) == ["t3", "t1", "t2", "t4"]


def test_file_print_after_the_three_exports_is_the_seeds(tmp_path):
    seed_session(tmp_path)
    for line in SEED_SIGNS + SEED_EXPORTS:
        out(tmp_path, line)
    assert normalise(out(tmp_path, "/file print")) == golden("file_print_after_export.txt")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_import_file(files, tmp):
    """The seed's import: one file with a certificate, its CA and the certificate's key under a passphrase,
    made by the openssl CLI."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
            "-out", "ca.crt", "-subj", "/CN=ca", "-days", "30", cwd=tmp)
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "cert.key",
            "-out", "cert.csr", "-subj", "/CN=cert", cwd=tmp)
    openssl("x509", "-req", "-in", "cert.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "cert.crt", "-days", "30", cwd=tmp)
    openssl("pkcs8", "-topk8", "-in", "cert.key", "-out", "cert.enc.key", "-passout", "pass:file_passphrase",
            cwd=tmp)
    files.mkdir(parents=True, exist_ok=True)
    (files / "certificate_file_name").write_bytes(
        (tmp / "cert.crt").read_bytes() + (tmp / "ca.crt").read_bytes() + (tmp / "cert.enc.key").read_bytes())


def test_import_report_and_print_are_the_seeds(tmp_path):
    data = tmp_path / "data"
    out(data, "/file print")  # makes the data directory
    work = tmp_path / "work"
    work.mkdir()
    make_import_file(data / "files", work)
    report = out(data, "/certificate/import file-name=certificate_file_name name=name_example "
                       "passphrase=file_passphrase")
    assert report == golden("import_report.txt")
    table = out(data, "/certificate/print")
    # The seed's import table is hand-edited (one space around its flag area, ragged trailing spaces, unlike
    # its sign table): compared word by word, line by line. It also has no FINGERPRINT column, which its sign
    # table has; when RouterOS shows that column is not known (facts §1.6), certos shows it for every signed or
    # imported certificate. docs/differences.md, "seed import table".
    words = [line.split() for line in table.replace(", FINGERPRINT", "").splitlines()]
    words = [row[:-1] if row and (row[-1] == "FINGERPRINT" or re.fullmatch(r"[0-9a-f]{64}", row[-1])) else row
             for row in words]
    assert words == [line.split() for line in golden("print_after_import.txt").splitlines()]
    assert table.splitlines()[3].startswith("0  KT  name_example ")


def test_ip_service_shows_what_certos_cannot_serve_as_invalid_and_refuses_it(tmp_path):
    table = out(tmp_path, "/ip service print").splitlines()
    assert table[0] == "Flags: X - DISABLED, I - INVALID"
    assert table[1] == "Columns: NAME, PORT, CERTIFICATE, VRF, MAX-SESSIONS"
    flags = {}
    for row in table[3:]:
        words = row.split()
        flags[words[2] if len(words[1]) == 1 and words[1] in "XI" else words[1]] = \
            words[1] if words[1] in ("X", "I") else ""
    assert flags == {"telnet": "I", "ftp": "I", "www": "", "ssh": "I", "www-ssl": "X", "api": "",
                     "winbox": "I", "api-ssl": ""}
    rc, stdout, stderr = run(tmp_path, "/ip service enable telnet", check=False)
    assert rc != 0
    assert "failure: certos does not serve telnet: only www, www-ssl, api and api-ssl can be enabled" \
        in stdout + stderr
    out(tmp_path, "/ip service disable www,api")
    assert out(tmp_path, ":put [/ip service get www disabled]").strip() == "true"
    out(tmp_path, "/ip service; print; enable 2,5")  # numbers of this console's print
    assert out(tmp_path, ":put [/ip service get api disabled]").strip() == "false"
    assert out(tmp_path, ":put [/ip service get www disabled]").strip() == "false"


def test_single_entry_menus_answer_get_and_rest_refuses_delete(tmp_path):
    assert out(tmp_path, ":put [/certificate settings get crl-use]").strip() == "false"
    out(tmp_path, "/certificate settings set crl-use=yes")
    assert out(tmp_path, ":put [/certificate settings get crl-use]").strip() == "true"
    assert "crl-use: yes" in out(tmp_path, "/certificate settings get")


def test_unknown_menus_read_the_same_over_rest_and_the_api_and_settings_cannot_be_deleted(certos_daemon):
    import librouteros
    from librouteros.exceptions import TrapError

    from conftest import ADMIN_PASSWORD

    d = certos_daemon
    rest = d.session()
    api = librouteros.connect(host="127.0.0.1", username="admin", password=ADMIN_PASSWORD, port=d.api_port)
    try:
        for rest_path, api_path, segment in [("/system/backupx", "/system/backupx/print", "backupx"),
                                             ("/nothing/here", "/nothing/here/print", "nothing")]:
            response = rest.get(d.url + rest_path, timeout=30)
            assert response.status_code == 400
            assert response.json()["detail"] == f"no such command or directory ({segment})"
            try:
                tuple(api(api_path))
                raise AssertionError(f"{api_path} succeeded")
            except TrapError as trap:
                assert trap.message == f"no such command or directory ({segment})"
        response = rest.delete(d.url + "/certificate/settings", timeout=30)
        assert response.status_code == 406
        assert response.json() == {"error": 406, "message": "Not Acceptable",
                                   "detail": "no such command or directory (remove)"}
        assert rest.get(d.url + "/certificate/settings", timeout=30).json()["crl-use"] == "false"
    finally:
        api.close()
