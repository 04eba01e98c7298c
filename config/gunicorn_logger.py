"""gunicorn's access log without secret links (in the request line, path, referrer, any atom):
`gunicorn --logger-class config.gunicorn_logger.RedactingLogger`."""

from gunicorn.glogging import Logger

from apps.core.redaction import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(v) if isinstance(v, str) else v for key, v in atoms.items()}
