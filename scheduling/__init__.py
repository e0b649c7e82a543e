"""The on-call rota: coverage, working-time rules, the routing policy, jobs and views.

The rota's routing policy (``scheduling.policy.RotaPolicy``) is the line's duty roster: the
composition root (``create_app``) builds it and hands it to the dispatcher."""

from flask import Flask


def init_app(app: Flask) -> None:
    from scheduling import cli, duty_views, views

    app.register_blueprint(views.bp)
    app.register_blueprint(duty_views.bp)
    cli.init_app(app)
