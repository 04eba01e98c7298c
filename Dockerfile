# One image for web, worker and beat.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint's system libraries (Pango, HarfBuzz) and fonts for the PDF roadmaps; pg_dump and
# pg_restore of the server's major version (docker-compose.yml's postgres:16) for
# `manage.py backup` and `restore`, from PostgreSQL's own Debian repository (Debian 12 ships 15,
# whose pg_dump refuses a 16 server).
ARG POSTGRES_MAJOR=16
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-color-emoji postgresql-common \
 && /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y \
 && apt-get install -y --no-install-recommends postgresql-client-${POSTGRES_MAJOR} \
 && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir uv

WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN DJANGO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
 && useradd --system --uid 1000 --home /app maturity \
 && mkdir -p /app/var/media \
 && chown -R maturity /app/var

USER maturity
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "30", "--access-logfile", "-", "--logger-class", "config.gunicorn_logger.RedactingLogger"]
