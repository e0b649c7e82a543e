"""Alembic environment: the engine comes from ``helpline.schema`` (the app's configuration)."""

from alembic import context

import helpline.models  # noqa: F401 - registers the models on the metadata
from helpline.orm import Base

config = context.config
engine = config.attributes["engine"]



def include_object(obj, name, type_, reflected, compare_to):
    """The scheduler's job table belongs to APScheduler, not to these migrations."""
    return not (type_ == "table" and name == "scheduler_jobs")


with engine.begin() as connection:
    context.configure(
        connection=connection,
        include_object=include_object,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
