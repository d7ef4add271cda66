"""A realistic demo inbox of regional workbooks, with planted mistakes, for `cxexcel demo` and tests."""

from cxexcel.demo.inbox import DEFAULT_REGIONS, DEFAULT_SEED, generate_inbox
from cxexcel.demo.manifest import DemoCentre, DemoFile, DemoManifest, DemoMistake, Expected

__all__ = [
    "DEFAULT_REGIONS",
    "DEFAULT_SEED",
    "DemoCentre",
    "DemoFile",
    "DemoManifest",
    "DemoMistake",
    "Expected",
    "generate_inbox",
]
