#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The developer's entry point: debug settings unless the environment says otherwise.
    # Deployments set DJANGO_DEBUG=false (docker-compose does); gunicorn and Celery never
    # come through here.
    os.environ.setdefault("DJANGO_DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
