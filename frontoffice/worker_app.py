"""What `celery -A frontoffice.worker_app worker|beat` loads: the app, configured."""

from frontoffice import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
