"""The staff workspace: a web app to keep the procedure catalogue right.

Built on sqladmin (Starlette + SQLAlchemy): lists, details and edit forms come from
the library; every write goes through :class:`procedures_catalog.service.Catalog`,
so the web, the command line and the assistant share one audit trail. Start it with
``python -m staff`` (``make run`` does) and see ``docs/staff.md``.
"""
