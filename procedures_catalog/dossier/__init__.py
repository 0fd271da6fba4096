"""Dossier status lookups (tra cứu hồ sơ): codes, sources, the per-conversation store, answers.

Layout: :mod:`.codes` recognises codes (standard library only: the Rasa channels import
it), :mod:`.record` is what a lookup returns, :mod:`.sources` and :mod:`.http` are the
``demo``/``none`` and ``http`` sources, :mod:`.pending` the short-lived code store and the
lookup limit, :mod:`.answers` the Vietnamese replies. Nothing here imports Rasa.
"""
