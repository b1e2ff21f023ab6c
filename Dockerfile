# Multi-stage build: a static, pure-Go binary on a distroless base, run as a
# non-root user. Mount your configuration (and its kb/ folder) at /config and
# keep state in the /data volume (point `store:` at bolt:/data/intake.db).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/intake ./cmd/intake

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/intake /usr/local/bin/intake
USER nonroot:nonroot
VOLUME ["/config", "/data"]
EXPOSE 8080 2525
ENTRYPOINT ["/usr/local/bin/intake"]
CMD ["serve", "-config", "/config/intake.yaml"]
