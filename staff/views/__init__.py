"""The workspace's pages: sqladmin model views plus the catalogue's own pages.

Lists, details, filters and edit forms come from sqladmin; every change is written
through :class:`procedures_catalog.service.Catalog` (``set_field``, ``add_alias``,
``set_office``, ``set_status``, ``import_records``), never by sqladmin's generic
CRUD, so each one lands in the audit trail with who, when and why.

One module per group of pages: :mod:`.procedures`, :mod:`.offices`, :mod:`.logs`
(aliases, audit trail, citizens' questions), :mod:`.dashboard`, :mod:`.transfer`
(import and export), :mod:`.editions` (editions and the verification queue); what they
share is in :mod:`.base`.
"""

from __future__ import annotations

from .base import ChangeRefused, RoleAuthorization, catalog_of
from .dashboard import DashboardView
from .editions import EditionsView, VerificationView
from .logs import AliasView, AuditView, TurnView
from .offices import OfficeView
from .procedures import ProcedureView
from .transfer import IMPORT_DIR, IMPORT_SUFFIXES, ImportExportView

# The pages in the order of the workspace's menu.
PAGES = (DashboardView, ProcedureView, VerificationView, AliasView, OfficeView, ImportExportView,
         EditionsView, AuditView, TurnView)

__all__ = [
    "IMPORT_DIR", "IMPORT_SUFFIXES", "PAGES", "AliasView", "AuditView", "ChangeRefused",
    "DashboardView", "EditionsView", "ImportExportView", "OfficeView", "ProcedureView",
    "RoleAuthorization", "TurnView", "VerificationView", "catalog_of",
]
