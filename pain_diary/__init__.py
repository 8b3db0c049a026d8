"""Pain Diary: a pain, sleep, medication and therapy diary shared with the care team."""

import logging
import os

from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as configuration
from . import database, throttle  # throttle: registers the database:// storage scheme
from .errors import App, ErrorSchema
from .extensions import api, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config=None):
    """Build the app; ``config`` (a mapping) overrides the environment, as tests do."""
    config = dict(config or {})
    app = App(
        __name__,
        instance_path=config.pop("INSTANCE_PATH", None)
        or os.environ.get("INSTANCE_PATH")
        or os.path.join(PROJECT_ROOT, "instance"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(configuration.FIXED)
    app.config.update(configuration.from_environment(app.instance_path))
    app.config.update(config)
    configuration.derive(app.config)
    configure_logging(app)
    trust_proxies(app)
    register_extensions(app)
    register_hooks(app)
    register_record_types(app)  # before the blueprints: their routes name the record types
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_listeners(app)
    return app


def configure_logging(app):
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # WeasyPrint and fontTools narrate every step at INFO; only their warnings matter here.
    for chatty in ("weasyprint", "fontTools"):
        logging.getLogger(chatty).setLevel(logging.WARNING)


def trust_proxies(app):
    """Take the client address and scheme from the configured number of reverse proxies."""
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


def register_extensions(app):
    from .accounts import auth

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(PROJECT_ROOT, "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    throttle.bind(limiter, app)
    api.ERROR_SCHEMA = ErrorSchema  # the shape every documented error response has
    api.init_app(app)
    auth.init_app(app)


def register_hooks(app):
    from .hooks import register_hooks as register

    register(app)


def register_blueprints(app):
    from .accounts.routes import bp as accounts_bp
    from .activity.routes import bp as activity_bp
    from .care.routes import bp as care_bp
    from .insights.routes import bp as insights_bp
    from .medications.routes import bp as medications_bp
    from .procedures.routes import bp as procedures_bp
    from .records.routes import bp as records_bp
    from .reminders.routes import bp as reminders_bp
    from .web.pwa import bp as pwa_bp
    from .web.routes import bp as web_bp

    api.register_blueprint(accounts_bp)
    api.register_blueprint(records_bp)
    api.register_blueprint(medications_bp)
    api.register_blueprint(procedures_bp)
    api.register_blueprint(activity_bp)
    api.register_blueprint(care_bp)
    api.register_blueprint(insights_bp)
    api.register_blueprint(reminders_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(pwa_bp)


def register_record_types(app):
    """Declare the kinds of record: what /sync, the export, the summary and the pages iterate."""
    from .activity.record_types import ACTIVITY
    from .care.access import readable_patient
    from .medications.record_types import MEDICATIONS
    from .procedures.record_types import PROCEDURES
    from .records.record_types import PAIN, SLEEP, THERAPY
    from .sync.registry import register_record_types as register

    register(
        app,
        (PAIN, SLEEP, MEDICATIONS, THERAPY, ACTIVITY, PROCEDURES),
        readable_patient=readable_patient,
    )


def register_errorhandlers(app):
    from .errors import register_errorhandlers as register

    register(app)


def register_commands(app):
    from .accounts.cli import users_cli
    from .activity.cli import activity_cli
    from .activity.worker import POLL_SECONDS, run_queued_imports
    from .demo import demo_command
    from .reminders.cli import scheduler_cli
    from .reminders.vapid import push_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(push_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(activity_cli)
    # What the worker process (`flask scheduler run`) runs besides reminders: (job, seconds).
    app.extensions["worker_jobs"] = ((run_queued_imports, POLL_SECONDS),)


def register_listeners(app):
    """Connect what each feature does when another signals (pain_diary.signals).

    Signals are the process's, not the app's: connecting again, as each app a test builds does,
    changes nothing.
    """
    from .reminders.listeners import connect

    connect()
