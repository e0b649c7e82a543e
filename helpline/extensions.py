"""Extensions created without an app and bound in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from helpline.orm import Base

#: The database; models subclass ``db.Model`` (SQLAlchemy 2 typed declarative base).
db = SQLAlchemy(model_class=Base)
#: Socket.IO server; bound to Redis as a message queue when ``REDIS_URL`` is set.
socketio = SocketIO()
#: CSRF protection for every form; the Twilio webhooks are exempt (they are signed instead).
csrf = CSRFProtect()
#: Staff sign-in sessions.
login_manager = LoginManager()
#: Interface in Kazakh, Russian and English.
babel = Babel()
