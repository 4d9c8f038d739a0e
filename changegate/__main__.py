"""`python -m changegate`."""

from changegate.cli import main

main()
