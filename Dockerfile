# Multi-stage build: a static, pure-Go binary in an empty image (with CA
# certificates for TLS to IMAP, SMTP, Slack and Discord), run as a non-root
# user. Mount your configuration (and its kb/ folder) at /config and
# keep state in the /data volume (point `store:` at bolt:/data/intake.db).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# timetzdata embeds the time zone database: business hours need it.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags "-s -w -X main.version=${VERSION}" -o /out/intake ./cmd/intake \
 && mkdir -p /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/intake /usr/local/bin/intake
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME ["/config", "/data"]
EXPOSE 8080 2525
ENTRYPOINT ["/usr/local/bin/intake"]
CMD ["serve", "-config", "/config/intake.yaml"]
