"""Settings the whole test session needs before anything is imported."""

import os

# xlwings checks its licence key once, when it is first imported: its remote engine (xlwings
# Server) is under PolyForm Noncommercial 1.0.0, which a government institution may use.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
