# syntax=docker/dockerfile:1
# Triage Router container image: docker build -t triage-router .
# Build stages compile the router with Maven; the runtime stage holds a JRE, the jar and the packaged configuration.

# PixelMed is not on Maven Central: the build takes Debian's libpixelmed-java, the same jar the scripts use.
FROM debian:bookworm-slim AS pixelmed
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends libpixelmed-java \
 && cp -L /usr/share/java/pixelmed.jar /pixelmed.jar

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY --from=pixelmed /pixelmed.jar /usr/share/java/pixelmed.jar
COPY scripts/lib.sh scripts/lib.sh
COPY pom.xml pom.xml
COPY modules modules
# ensure_pixelmed_in_maven (scripts/lib.sh) installs it into the local repository as com.pixelmed:pixelmed, without
# its Debian class path (run from / so the goal runs once, not once per module); the repository is a build cache.
RUN --mount=type=cache,target=/root/.m2 \
    bash -c 'cd / && source /src/scripts/lib.sh && ensure_pixelmed_in_maven' \
 && mvn -B -ntp -q -pl modules/app -am package -DskipTests \
 && cp modules/app/target/triage-router.jar /triage-router.jar

# glibc (not Alpine): ONNX Runtime's native library inside the jar needs it.
FROM eclipse-temurin:21-jre
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system triage \
 && useradd --system --gid triage --home-dir /var/lib/triage-router --no-create-home --shell /usr/sbin/nologin triage \
 && install -d -o triage -g triage -m 0750 /var/lib/triage-router /var/lib/triage-router/spool /var/lib/triage-router/models
COPY --from=build /triage-router.jar /usr/share/triage-router/triage-router.jar
COPY --chmod=0755 packaging/triage-router /usr/bin/triage-router
COPY packaging/triage-router.yaml /etc/triage-router/triage-router.yaml
COPY config/logback.xml /etc/triage-router/logback.xml

USER triage
WORKDIR /var/lib/triage-router
# Received instances stay here for spool.retentionDays: keep them on a volume (back it up with the database).
VOLUME /var/lib/triage-router/spool
# DICOM (dicom.port) and HTTP (http.port: dashboard, API, /metrics, /health).
EXPOSE 11112 8080
# Ready: the database answers, the spool has room, the model is loaded; 503 (unhealthy) while stopping.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null "http://127.0.0.1:${TRIAGE_HTTP_PORT:-8080}/health/ready" || exit 1
# SIGTERM stops the router gracefully within cluster.shutdownGraceSeconds (25 s): give the container a longer
# stop timeout (docker run --stop-timeout 40, compose stop_grace_period: 40s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/triage-router", "serve", "--config", "/etc/triage-router/triage-router.yaml"]
