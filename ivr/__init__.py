"""The IVR: Twilio webhooks (routes), TwiML (twiml), prompts; its pure decisions are the core's
``helpline.call_flow``."""

from flask import Flask


def init_app(app: Flask) -> None:
    from ivr import cli
    from ivr.routes import bp

    app.register_blueprint(bp)
    cli.init_app(app)
