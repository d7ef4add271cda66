"""`python -m cxexcel` runs the command line."""

from cxexcel.cli import main

main()
