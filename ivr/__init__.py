"""The IVR: Twilio webhooks (routes), pure decisions (flow), TwiML (twiml), prompts."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ivr import cli
    from ivr.routes import bp

    app.register_blueprint(bp)
    cli.init_app(app)
