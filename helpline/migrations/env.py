"""Alembic environment: the engine comes from ``helpline.schema`` (the app's configuration)."""

from alembic import context

import helpline.models  # noqa: F401 - registers the models on the metadata
from helpline.orm import Base

config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
