#!/usr/bin/env python
"""Django's command-line utility for the chiso service."""
import os
import sys
from pathlib import Path


def main():
    # Runs from a clone without installing too: the package lives under src/.
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiso.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
