"""``python -m staff``: serve the staff workspace (see staff/app.py)."""

from staff.app import main

main()
