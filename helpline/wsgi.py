"""WSGI entry point for production servers: ``gunicorn 'helpline.wsgi:app'``.

Refuses to start on a database whose schema is not the one this code needs.
"""

from helpline import create_app
from helpline.extensions import db
from helpline.schema import check_schema

app = create_app()
with app.app_context():
    check_schema(db.engine)
