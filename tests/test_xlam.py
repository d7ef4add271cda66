"""The desktop add-in build: MS-OVBA compression, the compound file, the .xlam package and its sources."""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from cxexcel.addin.actions_table import ACTION_SPECS, action_ids, action_spec
from cxexcel.addin.xlam import (
    CONFIG_SHEET,
    DEFAULT_MACROS_DIR,
    BuildError,
    build_xlam,
    cfb,
    check_sources,
    export_sources,
    load_sources,
    ovba,
    ribbon_buttons,
    vba_action_ids,
)
from cxexcel.addin.xlam import build as xlam_build
from cxexcel.addin.xlam.vbaproject import VbaModule, build_vba_project, normalise_source
from cxexcel.cli import cli

CUSTOM_UI = (DEFAULT_MACROS_DIR / "customUI.xml").read_text(encoding="utf-8")
RIBBON_BAS = (DEFAULT_MACROS_DIR / "CxRibbon.bas").read_text(encoding="utf-8")
NS_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _ole_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


def _lines(text: str) -> list[str]:
    return normalise_source(text).split("\r\n")


# -- MS-OVBA compression ---------------------------------------------------------------------------

# MS-OVBA 3.2: the specification's examples
SPEC_PLAIN = b"abcdefghijklmnopqrstuv."
SPEC_PLAIN_PACKED = "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"
SPEC_NORMAL = b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"
# the bytes the 2.4.1.3 procedure gives; the example printed in the document differs in three
# tokens (it decompresses to the same text, checked below)
SPEC_NORMAL_PACKED = (
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F"
    " 70 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C"
)
SPEC_NORMAL_PRINTED = (
    "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F"
    " 70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"
)
SPEC_MAXIMUM = b"a" * 73
SPEC_MAXIMUM_PACKED = "01 03 B0 02 61 45 00"


@pytest.mark.parametrize(
    ("plain", "packed"),
    [(SPEC_PLAIN, SPEC_PLAIN_PACKED), (SPEC_NORMAL, SPEC_NORMAL_PACKED), (SPEC_MAXIMUM, SPEC_MAXIMUM_PACKED)],
)
def test_compression_matches_the_specification_examples(plain: bytes, packed: str) -> None:
    assert ovba.compress(plain) == bytes.fromhex(packed)
    assert ovba.decompress(bytes.fromhex(packed)) == plain


def test_the_printed_normal_example_decompresses_too() -> None:
    assert ovba.decompress(bytes.fromhex(SPEC_NORMAL_PRINTED)) == SPEC_NORMAL
    assert _ole_decompress(bytes.fromhex(SPEC_NORMAL_PRINTED)) == SPEC_NORMAL


def _random_text(rng: random.Random, size: int, alphabet: str) -> str:
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(2000)]
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words) + rng.choice([" ", " ", " ", ", ", ".\r\n", "\r\n    "])
        out.append(word)
        length += len(word)
    return "".join(out)


def _long_inputs() -> dict[str, bytes]:
    rng = random.Random(20210726)
    vba_line = '    If ws.Cells(i, 3).Value = "" Then MsgBox "Пустая ячейка " & i, vbExclamation\r\n'
    return {
        "random-latin-text": _random_text(rng, 150_000, "abcdefghijklmnopqrstuvwxyz").encode("ascii"),
        "random-cyrillic-cp1251": _random_text(rng, 150_000, "абвгдеёжзийклмнопрстуфхцчшщъыьэюя").encode("cp1251"),
        "repetitive-vba": (vba_line * 2000).encode("cp1251"),
        "one-byte-run": b"x" * 120_000,
        # random bytes never compress: every chunk but the short last one is stored raw
        "random-bytes": rng.randbytes(4096 * 30 + 1000),
    }


LONG_INPUTS = _long_inputs()


@pytest.mark.parametrize("name", sorted(LONG_INPUTS))
def test_long_inputs_round_trip_through_both_decompressors(name: str) -> None:
    data = LONG_INPUTS[name]
    assert len(data) > 100_000
    packed = ovba.compress(data)
    assert ovba.decompress(packed) == data
    assert _ole_decompress(packed) == data
    if name != "random-bytes":
        assert len(packed) < len(data)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4095, 4096, 4097, 8192, 8193, 12_288 + 17])
def test_chunk_boundaries(size: int) -> None:
    data = bytes((i * 7 + i // 13) % 251 for i in range(size))
    packed = ovba.compress(data)
    assert ovba.decompress(packed) == data
    assert _ole_decompress(packed) == data


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=9000) | st.text(alphabet="ab \r\nпр", max_size=9000).map(lambda s: s.encode("cp1251")))
def test_round_trip_property(data: bytes) -> None:
    packed = ovba.compress(data)
    assert ovba.decompress(packed) == data
    assert _ole_decompress(packed) == data


@pytest.mark.parametrize(
    "bad",
    [b"", b"\x02\x00\x00", b"\x01\x19", b"\x01\x19\x80\x00", bytes.fromhex("01 03 B0 02 61 45 00")[:-1] + b"\xff"],
)
def test_malformed_containers_are_rejected(bad: bytes) -> None:
    with pytest.raises(ValueError):
        ovba.decompress(bad)


# -- data encryption (CMG, DPB, GC) ----------------------------------------------------------------

XLWINGS_PROJECT_ID = "{318BEE36-5BE1-492A-826D-473DB19B0F30}"  # from xlwings' quickstart add-in


def test_decrypts_values_written_by_office() -> None:
    assert ovba.decrypt("5D5F8AADDAA8DEA8DEA8DEA8DE", XLWINGS_PROJECT_ID) == bytes(4)
    assert ovba.decrypt("5D5F8AADDAADDBADDBAD", XLWINGS_PROJECT_ID) == b"\x00"
    assert ovba.decrypt("5D5F8AADDAADDBADDB52", XLWINGS_PROJECT_ID) == b"\xff"


@pytest.mark.parametrize("seed", [0x00, 0x02, 0x04, 0x06, 0x5D, 0xFF])
def test_encryption_round_trip(seed: int) -> None:
    for data in (bytes(4), b"\x00", b"\xff", bytes(range(29))):
        text = ovba.encrypt(data, XLWINGS_PROJECT_ID, seed=seed)
        assert text == text.upper()
        assert ovba.decrypt(text, XLWINGS_PROJECT_ID) == data
    with pytest.raises(ValueError):
        ovba.decrypt(ovba.encrypt(b"\x00", XLWINGS_PROJECT_ID, seed=seed), "{00000000-0000-0000-0000-000000000000}")


# -- the compound file -----------------------------------------------------------------------------


def _check_red_black(ole: olefile.OleFileIO, sid: int) -> int:
    """Black height of the sibling tree at `sid`; asserts order and colour rules on the way."""
    if sid == olefile.NOSTREAM:
        return 1
    entry = ole.direntries[sid]
    key = (len(entry.name), entry.name.upper())
    for side in (entry.sid_left, entry.sid_right):
        if side != olefile.NOSTREAM:
            child = ole.direntries[side]
            child_key = (len(child.name), child.name.upper())
            assert (child_key < key) if side == entry.sid_left else (child_key > key)
            if entry.color == 0:
                assert child.color == 1, "a red entry has a red child"
    left = _check_red_black(ole, entry.sid_left)
    right = _check_red_black(ole, entry.sid_right)
    assert left == right, "unequal black heights"
    return left + (1 if entry.color == 1 else 0)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 7, 8, 40])
def test_compound_file_reads_back(count: int) -> None:
    rng = random.Random(count)
    sizes = [0, 1, 63, 64, 65, 4095, 4096, 4097, 70_000]
    streams = {f"Stream{i}": rng.randbytes(rng.choice(sizes)) for i in range(count)}
    root = cfb.Storage(
        "Root Entry",
        [cfb.Storage("VBA", [cfb.Stream(k, v) for k, v in streams.items()]), cfb.Stream("PROJECT", b"ID=1")],
    )
    data = cfb.write_compound_file(root)
    assert len(data) % cfb.SECTOR == 0
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    for name, content in streams.items():
        assert ole.openstream(f"VBA/{name}").read() == content
    assert ole.openstream("PROJECT").read() == b"ID=1"
    for entry in ole.direntries:
        if entry is not None and entry.sid_child != olefile.NOSTREAM:
            assert ole.direntries[entry.sid_child].color == 1 or entry.sid_child == olefile.NOSTREAM
            _check_red_black(ole, entry.sid_child)


def test_compound_file_rejects_bad_names() -> None:
    for name in ("", "x" * 32, "a/b"):
        with pytest.raises(ValueError):
            cfb.write_compound_file(cfb.Storage("Root Entry", [cfb.Stream(name, b"")]))
    with pytest.raises(ValueError):
        cfb.write_compound_file(cfb.Storage("Root Entry", [cfb.Stream("ab", b""), cfb.Stream("AB", b"")]))


# -- the VBA project -------------------------------------------------------------------------------


def test_vba_project_round_trip_with_a_long_cyrillic_module() -> None:
    body = "".join(f'    MsgBox "Строка {i}: проверка «кавычек» и ё"\n' for i in range(3000))
    long_module = VbaModule("Long", f'Attribute VB_Name = "Long"\nSub Test()\n{body}End Sub\n')
    short_module = VbaModule("Short", 'Attribute VB_Name = "Short"\r\nSub A()\r\nEnd Sub')
    data = build_vba_project([long_module, short_module], name="Test")
    parser = VBA_Parser("vbaProject.bin", data=data)
    found = {vba_name: code for _, _, vba_name, code in parser.extract_macros()}
    assert _lines(found["Long.bas"]) == _lines(long_module.source)
    assert _lines(found["Short.bas"]) == _lines(short_module.source)
    ole = olefile.OleFileIO(io.BytesIO(data))
    project = ole.openstream("PROJECT").read().decode("cp1251")
    project_id = re.search(r'^ID="(\{[0-9A-F-]+\})"', project, re.MULTILINE)
    assert project_id
    values = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.MULTILINE))
    assert ovba.decrypt(values["CMG"], project_id.group(1)) == bytes(4)
    assert ovba.decrypt(values["DPB"], project_id.group(1)) == b"\x00"
    assert ovba.decrypt(values["GC"], project_id.group(1)) == b"\xff"
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000000")


def test_vba_module_must_name_itself() -> None:
    with pytest.raises(ValueError):
        VbaModule("Other", 'Attribute VB_Name = "CxRibbon"\r\n')
    with pytest.raises(ValueError):
        VbaModule("Bad name", 'Attribute VB_Name = "Bad name"\r\n')


# -- the sources: ribbon, VBA callback and action table in step ------------------------------------


def test_action_table() -> None:
    ids = [spec.id for spec in ACTION_SPECS]
    assert ids == [
        "check_workbook",
        "clear_marks",
        "next_issue",
        "refresh_lists",
        "dashboard",
        "consolidate_folder",
    ]
    assert action_spec("check_workbook").label == "Проверить книгу"
    assert action_ids(desktop=False) == tuple(i for i in ids if i != "consolidate_folder")
    for spec in ACTION_SPECS:
        assert re.fullmatch(r"[a-z][a-z_]*", spec.id)
        assert re.search("[а-яё]", spec.label + spec.screentip, re.IGNORECASE)
        assert re.fullmatch(r"[A-Za-z0-9]+", spec.image_mso)
    with pytest.raises(KeyError):
        action_spec("nope")


def test_ribbon_vba_and_table_agree() -> None:
    buttons = ribbon_buttons(CUSTOM_UI)
    table_ids = [spec.id for spec in ACTION_SPECS]
    assert [b.id for b in buttons] == table_ids
    assert sorted(vba_action_ids(RIBBON_BAS)) == sorted(table_ids)
    for button in buttons:
        spec = action_spec(button.id)
        assert (button.label, button.screentip, button.image_mso) == (spec.label, spec.screentip, spec.image_mso)
        assert button.on_action == "CxRibbon.CxAction"
    assert 'RunPython "import cxexcel.addin; cxexcel.addin.run(\'" & actionId & "\')"' in RIBBON_BAS
    assert check_sources(CUSTOM_UI, RIBBON_BAS) == []


def test_disagreements_are_reported() -> None:
    renamed = CUSTOM_UI.replace('id="dashboard"', 'id="panel"')
    assert any("кнопки ленты" in p for p in check_sources(renamed, RIBBON_BAS))
    relabelled = CUSTOM_UI.replace('label="Панель"', 'label="Итоги"')
    assert any("dashboard: label" in p for p in check_sources(relabelled, RIBBON_BAS))
    vba = RIBBON_BAS.replace('"consolidate_folder"', '"consolidate"')
    assert any("CxRibbon.CxAction принимает" in p for p in check_sources(CUSTOM_UI, vba))


def test_build_refuses_sources_out_of_step(tmp_path: Path) -> None:
    macros = tmp_path / "macros"
    shutil.copytree(DEFAULT_MACROS_DIR, macros)
    (macros / "customUI.xml").write_text(CUSTOM_UI.replace('id="next_issue"', 'id="next"'), encoding="utf-8")
    with pytest.raises(BuildError, match="не согласованы"):
        load_sources(macros)


def test_missing_xlwings_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlam_build.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BuildError, match=re.escape('pip install -e ".[addin]"')):
        load_sources()
    result = CliRunner().invoke(cli, ["addin", "build", "--out", "never.xlam"])
    assert result.exit_code == 1
    assert 'установите дополнение в копии репозитория cxexcel: pip install -e ".[addin]"' in result.output.lower()


# -- the built add-in ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("addin") / "cxexcel.xlam"
    build_xlam(out, interpreter=r"C:\cxexcel\python\python.exe")
    return out


def _expected_modules() -> dict[str, str]:
    return {m.name: m.source for m in load_sources().modules}


def test_olevba_reads_every_module_back(xlam: Path) -> None:
    expected = _expected_modules()
    assert list(expected) == ["ThisWorkbook", "Sheet1", "CxRibbon", "xlwings"]
    parser = VBA_Parser(str(xlam))
    assert parser.detect_vba_macros()
    found = {stream.split("/")[-1]: code for _, stream, _, code in parser.extract_macros()}
    assert sorted(found) == sorted(expected)
    for name, source in expected.items():
        assert _lines(found[name]) == _lines(source), name
    assert "Откройте книгу" in found["CxRibbon"]


def test_xlwings_module_is_the_custom_addin_one(xlam: Path) -> None:
    code = _expected_modules()["xlwings"]
    assert 'Public Const PROJECT_NAME As String = "xlwings"' in code
    assert "Public Function RunPython(" in code
    # the custom add-in module hands the active workbook to Python (Book.caller())
    assert '" --wb=" & """" & ActiveWorkbook.Name' in code


def test_package_parts(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as package:
        names = package.namelist()
        types = ET.fromstring(package.read("[Content_Types].xml"))
        root_rels = ET.fromstring(package.read("_rels/.rels"))
        book_rels = ET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
        custom_ui = package.read("customUI/customUI14.xml").decode("utf-8")
        workbook = package.read("xl/workbook.xml").decode("utf-8")
    assert {"xl/workbook.xml", "xl/vbaProject.bin", "customUI/customUI14.xml"} <= set(names)
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{NS_TYPES}Override")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iter(f"{NS_TYPES}Default")}
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.addin.macroEnabled.main+xml"
    assert defaults["bin"] == "application/vnd.ms-office.vbaProject"
    ui_rels = [
        r
        for r in root_rels.iter(f"{NS_RELS}Relationship")
        if r.get("Type") == "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
    ]
    assert [r.get("Target") for r in ui_rels] == ["customUI/customUI14.xml"]
    assert len({r.get("Id") for r in root_rels.iter(f"{NS_RELS}Relationship")}) == len(list(root_rels))
    vba_rels = [
        r
        for r in book_rels.iter(f"{NS_RELS}Relationship")
        if r.get("Type") == "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
    ]
    assert [r.get("Target") for r in vba_rels] == ["vbaProject.bin"]
    assert custom_ui == CUSTOM_UI
    assert 'codeName="ThisWorkbook"' in workbook
    assert f'name="{CONFIG_SHEET}"' in workbook


def test_config_sheet(xlam: Path) -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(xlam))
    assert book.sheet_names == ["xlwings.conf"]
    rows = book.get_sheet_by_name("xlwings.conf").to_python()
    # the xlwings module reads column A from A1 down to the first empty cell, values in column B
    settings_rows = [(r[0], r[1]) for r in rows if r[0]]
    assert settings_rows == [
        ("ADD_WORKBOOK_TO_PYTHONPATH", "false"),
        ("Interpreter_Win", r"C:\cxexcel\python\python.exe"),
    ]
    assert all(r[0] for r in rows[: len(settings_rows)])


def test_cli_build_and_export(tmp_path: Path) -> None:
    out = tmp_path / "dist" / "cxexcel.xlam"
    exported = tmp_path / "src"
    result = CliRunner().invoke(cli, ["addin", "build", "--out", str(out), "--export-sources", str(exported)])
    assert result.exit_code == 0, result.output
    assert "Надстройка собрана" in result.output
    assert zipfile.is_zipfile(out)
    assert sorted(p.name for p in exported.iterdir()) == ["CxRibbon.bas", "customUI14.xml", "xlwings.bas"]
    ribbon = (exported / "CxRibbon.bas").read_bytes()
    assert b"\r\n" in ribbon and b"\n" not in ribbon.replace(b"\r\n", b"")
    assert ribbon.decode("cp1251") == normalise_source(RIBBON_BAS)
    assert export_sources(tmp_path / "again")  # the function on its own


def _libreoffice_modules(path: Path, workdir: Path) -> dict[str, str]:
    """Convert with LibreOffice (forcing the xlsm import filter: it does not detect .xlam) and read the
    Basic modules it imported from the VBA project."""
    from libreoffice import find_soffice, require_libreoffice

    require_libreoffice()  # skips, or fails under CI=true, when LibreOffice is missing
    soffice = find_soffice()
    assert soffice
    profile = workdir / "profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--infilter=Calc MS Excel 2007 VBA XML",
            "--convert-to",
            "ods",
            "--outdir",
            str(workdir),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    ods = workdir / (path.stem + ".ods")
    modules: dict[str, str] = {}
    with zipfile.ZipFile(ods) as package:
        for name in package.namelist():
            match = re.fullmatch(r"Basic/cxexcel/(\w+)\.xml", name)
            if match and match.group(1) != "script-lb":
                root = ET.fromstring(package.read(name))
                modules[match.group(1)] = root.text or ""
    return modules


@pytest.mark.libreoffice
def test_libreoffice_imports_every_module(xlam: Path, tmp_path: Path) -> None:
    found = _libreoffice_modules(xlam, tmp_path)
    expected = _expected_modules()
    assert sorted(found) == sorted(expected)
    for name, source in expected.items():
        # LibreOffice drops the Attribute lines and puts its own two lines first
        lines = found[name].replace("\r\n", "\n").split("\n")
        assert lines[0].startswith("Rem Attribute VBA_ModuleType=")
        assert lines[1] == "Option VBASupport 1"
        want = [line for line in _lines(source) if not line.startswith("Attribute ")]
        got = lines[2:]
        while got and got[-1] == "":
            got.pop()
        while want and want[-1] == "":
            want.pop()
        assert got == want, name
