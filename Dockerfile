# PlurAlps Atlas: the dashboard served by gunicorn. The source data is not in the image: mount a source
# folder at /data/sources (or a prebuilt dataset at /app/data/build) and the entry point builds if needed.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PLURALPS_SOURCES=/data/sources PLURALPS_BUILD=/app/data/build

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# The runtime only (requirements.txt): tests and tooling (requirements-dev.txt) stay out of the image.
COPY requirements.txt package.json package-lock.json ./
RUN pip install --no-cache-dir -r requirements.txt \
 && npm ci --omit=dev --no-audit --no-fund \
 && apt-get purge -y npm && apt-get autoremove -y

COPY app.py CITATION.cff ./
COPY geo/ geo/
COPY dashboard/ dashboard/
COPY assets/ assets/
COPY data/ data/

EXPOSE 8050
# Build when sources are mounted (returns at once when the dataset is current); without sources, serve a
# mounted prebuilt dataset, or stop with the app's message naming what is missing.
CMD ["sh", "-c", "python -m geo.build || echo 'no build: serving the dataset in $PLURALPS_BUILD if there is one'; exec gunicorn --preload --workers 2 --timeout 120 --bind 0.0.0.0:8050 app:server"]
