"""The on-call rota: coverage, working-time rules, the routing policy, jobs and views."""

from flask import Flask


def init_app(app: Flask) -> None:
    from scheduling import cli
    from scheduling.policy import RotaPolicy
    from scheduling.views import bp

    dispatcher = app.extensions["helpline"].dispatcher
    policy = RotaPolicy()
    dispatcher.may_receive = policy.may_receive
    dispatcher.uncovered = policy.uncovered_centres
    app.extensions["rota_policy"] = policy
    app.register_blueprint(bp)
    cli.init_app(app)
