# The hub image: the Python package, its pages and its event files.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY web ./web
COPY config ./config
RUN pip install --no-cache-dir .
ENV HUB_HOST=0.0.0.0 HUB_PORT=8000 HUB_DATA_DIR=/data HUB_EVENTS_DIR=/app/config/events
EXPOSE 8000
CMD ["multiplex", "serve"]
