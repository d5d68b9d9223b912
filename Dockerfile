# syntax=docker/dockerfile:1
#
# Tonewatch in a container: `docker build -t tonewatch .` (or `docker compose up`, compose.yaml).
#
# The steps are those of .ci/run (its check_wheel step), which CI runs on every change, since no
# container engine runs there: the builder stage makes the wheel with the same `python -m build`, and the
# runtime stage installs that wheel with pip into a fresh virtual environment (here with the postgres
# extra). Change one, change the other.

FROM python:3.11-slim AS builder
WORKDIR /src
RUN python -m pip install --no-cache-dir build
COPY . .
RUN python -m build --outdir /dist .

FROM python:3.11-slim AS runtime
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/tonewatch/bin:$PATH \
    DATABASE_URL=sqlite:////var/lib/tonewatch/tonewatch.db \
    TONEWATCH_CHART_DIR=/var/lib/tonewatch/charts
COPY --from=builder /dist /tmp/dist
RUN python -m venv /opt/tonewatch \
    && /opt/tonewatch/bin/pip install --no-cache-dir "$(ls /tmp/dist/tonewatch-*.whl)[postgres]" \
    && rm -rf /tmp/dist \
    && useradd --system --uid 10001 --home-dir /var/lib/tonewatch --create-home --shell /usr/sbin/nologin tonewatch
USER tonewatch
RUN mkdir -p /var/lib/tonewatch/charts
WORKDIR /var/lib/tonewatch
VOLUME ["/var/lib/tonewatch"]
EXPOSE 3000
# Liveness only (the process answers); readiness (database, schema, platforms) is GET /readyz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:3000/livez', timeout=4).status != 200)"]
CMD ["tonewatch", "run", "--host", "0.0.0.0"]
