"""The procedure catalogue: database, Vietnamese-aware search, import/export, audit.

This package never imports Rasa; the action server and the staff workspace call it.
"""

__version__ = "0.1.0"
