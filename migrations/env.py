"""Alembic environment: runs inside the Flask app (milepost db ...), using its engine and models."""
import logging

from alembic import context
from flask import current_app

from milepost.core.model import UTCDateTime

log = logging.getLogger("alembic.env")
migrate_ext = current_app.extensions["migrate"]
metadata = migrate_ext.db.metadata


def render_item(type_, obj, autogen_context):
    """Write our UTC datetime type as a plain timezone-aware DateTime in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def skip_empty_revision(ctx, revision, directives):
    if getattr(context.config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("The models and the migrations agree; no revision written.")


def run() -> None:
    options = dict(migrate_ext.configure_args)
    options.setdefault("process_revision_directives", skip_empty_revision)
    options.setdefault("render_item", render_item)
    if context.is_offline_mode():
        context.configure(url=str(migrate_ext.db.engine.url), target_metadata=metadata,
                          literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    with migrate_ext.db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


run()
