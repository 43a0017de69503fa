# The hub image: the Python package, its pages (with hls.js from npm) and its event files.
FROM node:20-slim AS web-vendor
WORKDIR /vendor
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY hub ./hub
COPY web ./web
COPY --from=web-vendor /vendor/node_modules/hls.js/dist/hls.light.min.mjs ./node_modules/hls.js/dist/
COPY config ./config
RUN pip install --no-cache-dir .
ENV HUB_HOST=0.0.0.0 HUB_PORT=8000 HUB_DATA_DIR=/data HUB_EVENTS_DIR=/app/config/events
EXPOSE 8000
CMD ["multiplex", "serve"]
