"""Rasa SDK actions: thin adapters from the conversation onto the catalogue library.

Started by ``python -m rasa_sdk --actions actions``; every action module is imported
here so the SDK registers it.
"""

from actions import procedures, services  # noqa: F401
