"""The vbaProject.bin writer (MS-OVBA 2.2-2.3): VBA storage, dir stream, module streams, PROJECT streams."""

from __future__ import annotations

import re
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cxexcel.addin.xlam import cfb, ovba

# VB_Base of the document modules behind a workbook and a worksheet
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

_NAME_LINE = re.compile(r'\AAttribute VB_Name = "([^"]+)"\r\n')
_IDENTIFIER = re.compile(r"\A[A-Za-z][A-Za-z0-9_]{0,30}\Z")

# MS-OVBA leaves these to the writer; the values are those other from-source writers use with Excel
_VERSION_MAJOR = 1361024421
_VERSION_MINOR = 6
_LCID = 0x0409  # 2.3.4.2.1.3: the project LCID MUST be 0x409
_SYSKIND_WIN32 = 0x00000001


def normalise_source(text: str) -> str:
    """Module text as VBA stores it: CRLF line ends, ending with one line end."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    return "".join(line + "\r\n" for line in lines)


@dataclass(frozen=True)
class VbaModule:
    """One module: its name and its full text, starting with its `Attribute VB_Name` line."""

    name: str
    source: str
    kind: Literal["standard", "document"] = "standard"

    def __post_init__(self) -> None:
        if not _IDENTIFIER.match(self.name):
            raise ValueError(f"invalid VBA module name: {self.name!r}")
        match = _NAME_LINE.match(normalise_source(self.source))
        if match is None or match.group(1) != self.name:
            raise ValueError(f'module {self.name}: its first line must be Attribute VB_Name = "{self.name}"')


def document_module(name: str, base: str) -> VbaModule:
    """The (empty) document module of the workbook or of a worksheet, with the attributes Excel writes."""
    attributes = [
        f'VB_Name = "{name}"',
        f'VB_Base = "{base}"',
        "VB_GlobalNameSpace = False",
        "VB_Creatable = False",
        "VB_PredeclaredId = True",
        "VB_Exposed = True",
        "VB_TemplateDerived = False",
        "VB_Customizable = True",
    ]
    return VbaModule(name, "".join(f"Attribute {a}\r\n" for a in attributes), kind="document")


def project_id_for(name: str) -> str:
    """A stable project GUID, so that the same sources give the same file."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"cxexcel:vba-project:{name}")).upper() + "}"


class _Records:
    def __init__(self, codepage: int) -> None:
        self.codec = f"cp{codepage}"
        self.out = bytearray()

    def record(self, rid: int, payload: bytes) -> None:
        self.out += struct.pack("<HI", rid, len(payload)) + payload

    def u32(self, rid: int, value: int) -> None:
        self.record(rid, struct.pack("<I", value))

    def u16(self, rid: int, value: int) -> None:
        self.record(rid, struct.pack("<H", value))

    def text(self, rid: int, value: str, unicode_rid: int | None = None) -> None:
        self.record(rid, value.encode(self.codec))
        if unicode_rid is not None:
            self.record(unicode_rid, value.encode("utf-16-le"))


def _dir_stream(name: str, modules: Sequence[VbaModule], codepage: int) -> bytes:
    r = _Records(codepage)
    # PROJECTINFORMATION (2.3.4.2.1)
    r.u32(0x0001, _SYSKIND_WIN32)
    r.u32(0x0002, _LCID)
    r.u32(0x0014, _LCID)
    r.u16(0x0003, codepage)
    r.text(0x0004, name)
    r.text(0x0005, "", unicode_rid=0x0040)  # docstring
    r.text(0x0006, "", unicode_rid=0x003D)  # help file
    r.u32(0x0007, 0)  # help context
    r.u32(0x0008, 0)  # lib flags
    r.out += struct.pack("<HIIH", 0x0009, 4, _VERSION_MAJOR, _VERSION_MINOR)  # Reserved is 4, not a size
    r.text(0x000C, "", unicode_rid=0x003C)  # conditional compilation constants
    # PROJECTREFERENCES: none. The ribbon callback takes `As Object`, so the project needs no
    # reference to the Office type library, whose path and version differ between installations.
    # PROJECTMODULES (2.3.4.2.3)
    r.u16(0x000F, len(modules))
    r.u16(0x0013, 0xFFFF)  # project cookie
    for module in modules:
        r.text(0x0019, module.name)
        r.record(0x0047, module.name.encode("utf-16-le"))
        r.text(0x001A, module.name, unicode_rid=0x0032)  # stream name
        r.text(0x001C, "", unicode_rid=0x0048)  # docstring
        r.u32(0x0031, 0)  # source offset: no performance cache precedes the source
        r.u32(0x001E, 0)  # help context
        r.u16(0x002C, 0xFFFF)  # module cookie
        r.record(0x0021 if module.kind == "standard" else 0x0022, b"")
        r.record(0x002B, b"")  # terminator
    r.record(0x0010, b"")  # terminator
    return bytes(r.out)


def _project_stream(name: str, project_id: str, modules: Sequence[VbaModule], codepage: int) -> bytes:
    lines = [f'ID="{project_id}"']
    for module in modules:
        lines.append(f"Document={module.name}/&H00000000" if module.kind == "document" else f"Module={module.name}")
    lines += [
        f'Name="{name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{ovba.encrypt(bytes(4), project_id)}"',  # protection state: none
        f'DPB="{ovba.encrypt(bytes(1), project_id)}"',  # password: none
        f'GC="{ovba.encrypt(bytes([0xFF]), project_id)}"',  # visibility: visible
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        # optional (the editor's window positions), but Office and other writers always have it
        "[Workspace]",
        *(f"{module.name}=0, 0, 0, 0, C" for module in modules),
    ]
    return "".join(line + "\r\n" for line in lines).encode(f"cp{codepage}")


def _projectwm_stream(modules: Sequence[VbaModule], codepage: int) -> bytes:
    out = bytearray()
    for module in modules:
        out += module.name.encode(f"cp{codepage}") + b"\x00" + module.name.encode("utf-16-le") + b"\x00\x00"
    return bytes(out + b"\x00\x00")


def build_vba_project(
    modules: Sequence[VbaModule], *, name: str, codepage: int = 1251, project_id: str | None = None
) -> bytes:
    """The bytes of a vbaProject.bin holding `modules` as source only (Office compiles it on open).

    Module text is stored in the project's ANSI `codepage`; a character it cannot encode is an error.
    """
    if not _IDENTIFIER.match(name):
        raise ValueError(f"invalid VBA project name: {name!r}")
    seen: set[str] = set()
    for module in modules:
        if module.name.upper() in seen:
            raise ValueError(f"duplicate VBA module name: {module.name}")
        seen.add(module.name.upper())
    project_id = project_id or project_id_for(name)
    # 2.3.4.1: Version 0xFFFF says there is no performance cache, so Office compiles the source
    vba_project = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0000)
    streams: list[cfb.Storage | cfb.Stream] = [
        cfb.Stream("_VBA_PROJECT", vba_project),
        cfb.Stream("dir", ovba.compress(_dir_stream(name, modules, codepage))),
    ]
    for module in modules:
        source = normalise_source(module.source).encode(f"cp{codepage}")
        streams.append(cfb.Stream(module.name, ovba.compress(source)))
    root = cfb.Storage(
        "Root Entry",
        [
            cfb.Storage("VBA", streams),
            cfb.Stream("PROJECT", _project_stream(name, project_id, modules, codepage)),
            cfb.Stream("PROJECTwm", _projectwm_stream(modules, codepage)),
        ],
    )
    return cfb.write_compound_file(root)
