"""The WSGI entry point for production servers: gunicorn 'milepost.wsgi:app'."""
from milepost.app import create_app

app = create_app()
