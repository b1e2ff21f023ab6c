# Multi-stage build: a static, pure-Go binary in an empty image (with CA
# certificates for TLS to IMAP, SMTP, Slack and Discord), run as a non-root
# user. The image runs the example configuration as shipped: HTTP on :8080
# and the SMTP listener on :2525 on all interfaces, state, outgoing .eml
# files and KB drafts in the /data volume (owned by the user). INTAKE_STORE picks another
# store (docker-compose.yml uses Redis); mount your own configuration over
# /config to change anything else.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# timetzdata embeds the time zone database: business hours need it.
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags "-s -w -X main.version=${VERSION}" -o /out/intake ./cmd/intake \
 && mkdir -p /out/data/outbox /out/data/drafts /out/config \
 && cp -r config/kb /out/config/kb
# The example configuration, adapted for a container (cmd/intake's
# TestDockerConfig applies the same replacements and checks the result).
RUN sed -e 's|^store: bolt:data/intake.db|store: ${INTAKE_STORE:-bolt:/data/intake.db}|' \
        -e 's|listen: 127.0.0.1:8080|listen: 0.0.0.0:8080|' \
        -e 's|addr: 127.0.0.1:2525|addr: 0.0.0.0:2525|' \
        -e 's|outbox_dir: outbox/|outbox_dir: /data/outbox/|' \
        -e 's|^  knowledge_base: kb/$|  knowledge_base: kb/\n  drafts_dir: /data/drafts/|' \
        config/example.yaml > /out/config/intake.yaml \
 && /out/intake check -config /out/config/intake.yaml

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --from=build /out/intake /usr/local/bin/intake
COPY --from=build /out/config /config
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080 2525
ENTRYPOINT ["/usr/local/bin/intake"]
CMD ["serve", "-config", "/config/intake.yaml"]
