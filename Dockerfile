# The portal's image: one image for web (gunicorn), worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml ./
RUN pip install .
COPY . .
# collectstatic needs a key to import the settings; the real one comes from the environment.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 portal && chown -R portal /app
USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
