"""Rasa SDK actions: thin adapters from the conversation onto the catalogue library.

Started by ``python -m rasa_sdk --actions actions``; every action module is imported
here so the SDK registers it.
"""

from actions import changes, dossier, feedback, procedures, services  # noqa: F401
from procedures_catalog.masking import install_log_masking

# The SDK has set up its log handlers by the time it imports this package: from now
# on nothing it or we log can carry a citizen's phone number, ID or e-mail.
install_log_masking()
