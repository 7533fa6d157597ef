# Chorus's image: one image for every process of the Procfile (web, worker, beat, release).
# Build: docker build -t chorus .   Run: see compose.yaml and the README's Deployment section.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CHORUS_ENV=production \
    CHORUS_INSTANCE_DIR=/var/lib/chorus \
    CACHE_DIR=/var/cache/chorus \
    PORT=8050

WORKDIR /app
COPY . .
# Editable, so the code runs from /app (pages and assets are found beside app.py).
RUN pip install --editable '.[jobs]' \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin chorus \
    && mkdir -p /var/lib/chorus /var/cache/chorus \
    && chown chorus:chorus /var/lib/chorus /var/cache/chorus

USER chorus
EXPOSE 8050
# Liveness: the process answers. The load balancer uses /health/ready (see compose.yaml).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8050') + '/health/live', timeout=4); sys.exit(r.status != 200)"]
CMD ["sh", "-c", "gunicorn -c gunicorn.conf.py --workers ${WEB_CONCURRENCY:-4} --threads 4 --bind 0.0.0.0:${PORT:-8050} --timeout 120 --graceful-timeout 30 app:server"]
