"""Build the desktop add-in cxexcel.xlam on any OS: MS-OVBA, a compound-file writer and the package."""

from cxexcel.addin.xlam.build import (
    CONFIG_SHEET,
    DEFAULT_MACROS_DIR,
    AddinSources,
    BuildError,
    BuildReport,
    RibbonButton,
    build_xlam,
    build_xlam_bytes,
    check_sources,
    export_sources,
    load_sources,
    ribbon_buttons,
    vba_action_ids,
)

__all__ = [
    "CONFIG_SHEET",
    "DEFAULT_MACROS_DIR",
    "AddinSources",
    "BuildError",
    "BuildReport",
    "RibbonButton",
    "build_xlam",
    "build_xlam_bytes",
    "check_sources",
    "export_sources",
    "load_sources",
    "ribbon_buttons",
    "vba_action_ids",
]
