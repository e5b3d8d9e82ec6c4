# kitsune in a container: docker build -t kitsune . && docker run -p 10009:10009 -p 10010:10010 -p 10099:10099 -p 10019:10019 kitsune
# Build stage: the Go toolchain (cgo for the embedded DuckDB).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -tags=duckdb_arrow -trimpath -ldflags "-s -w" -o /out/kitsune ./cmd/kitsune

# Run stage: a slim base, the binary, a non-root user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/kitsune --create-home kitsune
COPY --from=build /out/kitsune /usr/local/bin/kitsune
USER kitsune
WORKDIR /var/lib/kitsune
ENV KITSUNE_CONF_DIR=/etc/kitsune
# binary, HTTP, REST (and the web UI), Prometheus
EXPOSE 10009 10010 10099 10019
# Healthy: the gateway opens an HS2 session and answers a statement.
HEALTHCHECK --interval=30s --timeout=20s --start-period=20s --retries=3 \
    CMD ["kitsune", "beeline", "-u", "jdbc:hive2://127.0.0.1:10009/default", "-n", "healthcheck", "--silent=true", "-e", "SELECT 1"]
ENTRYPOINT ["kitsune", "server", "--conf", "kitsune.frontend.bind.host=0.0.0.0", "--conf", "kitsune.server.work.dir=/var/lib/kitsune/work"]
