# Shared set-up for scripts/demo, scripts/test and scripts/bench: sourced, not run.
# Installs what a fresh Debian/Ubuntu machine lacks, picks a JDK >= 21 and builds.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PIXELMED_VERSION=20220618

SCRIPT_NAME="$(basename "$0")"
log() { printf '\033[1m[%s]\033[0m %s\n' "$SCRIPT_NAME" "$*" >&2; }
die() { printf '[%s] error: %s\n' "$SCRIPT_NAME" "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# The Debian packages the router and its tests run against.
ensure_packages() {
  local missing=()
  [ -f /usr/share/java/pixelmed.jar ] || missing+=(libpixelmed-java)
  command -v storescu >/dev/null || missing+=(dcmtk)
  command -v openssl >/dev/null || missing+=(openssl)           # the TLS tests' PKI, s_client and s_server
  command -v dciodvfy >/dev/null || missing+=(dicom3tools)
  command -v gdcmconv >/dev/null || missing+=(libgdcm-tools)   # an independent JPEG 2000 encoder for golden tests
  command -v Orthanc >/dev/null || missing+=(orthanc)          # a real PACS as a destination in the tests
  command -v unshare >/dev/null || missing+=(util-linux)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v chromium >/dev/null || missing+=(chromium)            # the dashboard's end-to-end test runs in it
  command -v chromedriver >/dev/null || missing+=(chromium-driver) # ... driven by Selenium through it
  /usr/bin/python3 -c 'import hl7.mllp' 2>/dev/null || missing+=(python3-hl7) # python-hl7's MLLP server: the HL7 tests' RIS
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${missing[@]}" >/dev/null
  fi
}

# A JDK >= 21: JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
pick_jdk() {
  local candidate version
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate="${candidate%/}"
    [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] || continue
    version=$("$candidate/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
    if [ "${version%%.*}" -ge 21 ] 2>/dev/null; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      # Maven's bundled Guava uses sun.misc.Unsafe; JDK 24+ warns about it on every run.
      if [ "${version%%.*}" -ge 24 ]; then
        case "${MAVEN_OPTS:-}" in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;; esac
      fi
      return 0
    fi
  done
  die "no JDK >= 21 found (set JAVA_HOME or install one under /usr/lib/jvm)"
}

# PixelMed is not on Maven Central: install Debian's jar into the local repository,
# without its manifest Class-Path (it points at Debian jars the project does not use).
ensure_pixelmed_in_maven() {
  local repo="${MAVEN_REPO:-$HOME/.m2/repository}"
  local target="$repo/com/pixelmed/pixelmed/$PIXELMED_VERSION/pixelmed-$PIXELMED_VERSION.jar"
  [ -f "$target" ] && return 0
  log "installing PixelMed $PIXELMED_VERSION into the local Maven repository"
  local work; work=$(mktemp -d)
  mkdir "$work/classes"
  (cd "$work/classes" && "$JAVA_HOME/bin/jar" xf /usr/share/java/pixelmed.jar && rm -f META-INF/MANIFEST.MF)
  "$JAVA_HOME/bin/jar" --create --file "$work/pixelmed.jar" -C "$work/classes" . || die "could not repack PixelMed"
  mvn -q -B org.apache.maven.plugins:maven-install-plugin:3.1.3:install-file \
    -Dfile="$work/pixelmed.jar" -DgroupId=com.pixelmed -DartifactId=pixelmed \
    -Dversion="$PIXELMED_VERSION" -Dpackaging=jar -DgeneratePom=true || die "could not install PixelMed into Maven"
  rm -rf "$work"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# PostgreSQL's server binaries: the tests start private servers with them (initdb, pg_ctl).
ensure_postgres_packages() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null; then
    log "installing postgresql"
    as_root apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q postgresql >/dev/null
  fi
}

# The database the router uses: TRIAGE_DATABASE_URL when given; otherwise the local cluster, started
# with pg_ctlcluster when down (there is no systemd here), with role and database 'triage' created.
ensure_database() {
  if [ -n "${TRIAGE_DATABASE_URL:-}" ]; then
    log "using the database at $TRIAGE_DATABASE_URL"
    return 0
  fi
  ensure_postgres_packages
  if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
    local version; version=$(ls /usr/lib/postgresql | sort -V | tail -1)
    log "creating PostgreSQL cluster $version/main"
    as_root pg_createcluster "$version" main >/dev/null
  fi
  local version name port status
  read -r version name port status _ <<< "$(pg_lsclusters -h | head -1)"
  if [ "$status" != "online" ]; then
    log "starting PostgreSQL $version/$name on port $port"
    as_root pg_ctlcluster "$version" "$name" start || die "PostgreSQL $version/$name did not start"
  fi
  if [ "$(as_postgres psql -p "$port" -tAc "select 1 from pg_roles where rolname = 'triage'")" != "1" ]; then
    log "creating PostgreSQL role triage"
    as_postgres psql -p "$port" -qc "create role triage login createdb password 'triage'" >/dev/null
  fi
  if [ "$(as_postgres psql -p "$port" -tAc "select 1 from pg_database where datname = 'triage'")" != "1" ]; then
    log "creating PostgreSQL database triage"
    as_postgres psql -p "$port" -qc "create database triage owner triage" >/dev/null
  fi
  export TRIAGE_DATABASE_URL="jdbc:postgresql://127.0.0.1:$port/triage"
  export TRIAGE_DATABASE_USER=triage TRIAGE_DATABASE_PASSWORD=triage
}

ensure_maven() {
  command -v mvn >/dev/null || { log "installing maven"; as_root apt-get update -q >/dev/null; DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q maven >/dev/null; }
}

setup_all() {
  ensure_packages
  ensure_postgres_packages
  ensure_maven
  pick_jdk
  ensure_pixelmed_in_maven
}

ROUTER_JAR="$ROOT/modules/app/target/triage-router.jar"

build_router() {
  log "building (JDK $("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"
  (cd "$ROOT" && mvn -q -B -DskipTests package) || die "build failed"
}
