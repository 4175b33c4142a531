# Temporal's time-skipping test server (the Java one, Maven Central io.temporal:temporal-test-server),
# for workflow-logic tests through TestWorkflowEnvironment.createTimeSkipping (test-support/
# time-skipping.ts). The SDK would download a native build of it from the internet, which is not
# reachable here: this installs a JRE from Debian if missing, copies the pinned jar and its
# dependency closure from Maven Central into .local/temporal-test-server, and writes the wrapper
# .local/bin/temporal-test-server that the SDK starts as an 'existing-path' executable.
# Not a service: the SDK starts one server per test environment (`<port> [extraArgs...]`) and
# kills it when the environment tears down. Idempotent; sourced by scripts/services.sh for its
# functions, or run directly (`bash scripts/services/test-server.sh`) to install.

# Run directly: lib.sh first (ROOT, LOCAL, log, apt_install); the install runs at the end.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"; fi

TEST_SERVER_VERSION=1.38.0
# slf4j binding that silences the server's logging (it ships slf4j-api 1.7.x without a binding,
# which prints a warning on every start); same line as the api it brings.
TEST_SERVER_SLF4J_VERSION=1.7.36
TEST_SERVER_DIR="$LOCAL/temporal-test-server"
TEST_SERVER_LIB="$TEST_SERVER_DIR/lib-$TEST_SERVER_VERSION"
TEST_SERVER_BIN="$LOCAL/bin/temporal-test-server"

TEST_SERVER_JSA="$TEST_SERVER_DIR/cds-$TEST_SERVER_VERSION.jsa"

# The JVM the archive was made by: a JRE upgrade makes the archive unusable (the JVM then starts
# without it, silently, at twice the time), so it is made again.
test_server_java_id() { java -version 2>&1 | tr -s '[:space:]' ' '; }

test_server_installed() {
  command -v java >/dev/null && [ -f "$TEST_SERVER_LIB/.complete" ] && [ -x "$TEST_SERVER_BIN" ] \
    && grep -q "lib-$TEST_SERVER_VERSION" "$TEST_SERVER_BIN" && [ -f "$TEST_SERVER_JSA" ] \
    && [ "$(cat "$TEST_SERVER_JSA.java" 2>/dev/null)" = "$(test_server_java_id)" ]
}

# Flags that favour start-up over peak speed: the SDK gives the server only 5 s to answer.
TEST_SERVER_JVM_FLAGS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xms32m -Xmx512m)

test_server_install() {
  if test_server_installed; then return; fi
  local pkgs=()
  command -v java >/dev/null || pkgs+=(default-jre-headless)
  command -v mvn >/dev/null || pkgs+=(maven)
  [ ${#pkgs[@]} -eq 0 ] || apt_install "${pkgs[@]}"
  mkdir -p "$TEST_SERVER_DIR" "$LOCAL/bin"
  if [ ! -f "$TEST_SERVER_LIB/.complete" ]; then
    log "test-server: fetching temporal-test-server $TEST_SERVER_VERSION and its dependencies from Maven Central (under a minute)"
    local build="$TEST_SERVER_DIR/build"
    mkdir -p "$build"
    cat > "$build/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local</groupId>
  <artifactId>temporal-test-server-closure</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$TEST_SERVER_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-nop</artifactId>
      <version>$TEST_SERVER_SLF4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
    # A Maven repository of our own under .local, so ~/.m2 is neither needed nor touched.
    rm -rf "$TEST_SERVER_LIB.tmp"
    # Its output (errors only, with -q, but wrapped in colour codes) goes to a log shown on failure.
    if ! mvn -B -q -f "$build/pom.xml" -Dmaven.repo.local="$TEST_SERVER_DIR/m2" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$TEST_SERVER_LIB.tmp" \
      >"$TEST_SERVER_DIR/mvn.log" 2>&1 < /dev/null; then
      tail -n 30 "$TEST_SERVER_DIR/mvn.log" >&2
      die "test-server: mvn could not fetch io.temporal:temporal-test-server:$TEST_SERVER_VERSION"
    fi
    [ -f "$TEST_SERVER_LIB.tmp/temporal-test-server-$TEST_SERVER_VERSION.jar" ] \
      || die "test-server: temporal-test-server-$TEST_SERVER_VERSION.jar missing after mvn"
    touch "$TEST_SERVER_LIB.tmp/.complete"
    rm -rf "$TEST_SERVER_LIB"
    mv "$TEST_SERVER_LIB.tmp" "$TEST_SERVER_LIB"
    log "test-server: $(find "$TEST_SERVER_LIB" -name '*.jar' | wc -l) jars in ${TEST_SERVER_LIB#"$ROOT"/}"
  fi
  local java; java=$(command -v java)
  # A class-data-sharing archive of the classes the server loads while starting: halves the
  # JVM's start (about 1.1 s to 0.5 s to listen here). Made by starting the server once (on a
  # port the system picks) and stopping it, which writes the archive.
  log "test-server: making the class-data archive (a few seconds)"
  rm -f "$TEST_SERVER_JSA" "$TEST_SERVER_JSA.tmp"
  "$java" "${TEST_SERVER_JVM_FLAGS[@]}" -XX:ArchiveClassesAtExit="$TEST_SERVER_JSA.tmp" \
    -cp "$TEST_SERVER_LIB/*" io.temporal.testserver.TestServer 0 >"$TEST_SERVER_DIR/cds.log" 2>&1 < /dev/null &
  local pid=$!
  sleep 6
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ -s "$TEST_SERVER_JSA.tmp" ]; then
    mv "$TEST_SERVER_JSA.tmp" "$TEST_SERVER_JSA"
  else
    log "test-server: no class-data archive made (see ${TEST_SERVER_DIR#"$ROOT"/}/cds.log); the JVM starts without one"
    : > "$TEST_SERVER_JSA"
  fi
  test_server_java_id > "$TEST_SERVER_JSA.java"
  log "test-server: writing ${TEST_SERVER_BIN#"$ROOT"/}"
  # `exec`: java must be the process the SDK started, so that its kill on teardown stops the
  # server (a shell left in between would be killed and leave the JVM running). The SDK runs
  # it as `<port> [extraArgs]`; the server's one flag is --enable-time-skipping (the SDK turns
  # skipping on and off through the test service itself). An archive the JVM cannot use (or an
  # empty one) is skipped without a word. TEMPORAL_TEST_SERVER_JAVA_OPTS adds or overrides flags.
  cat > "$TEST_SERVER_BIN.tmp" <<WRAPPER
#!/bin/sh
# Written by scripts/services/test-server.sh: Temporal's time-skipping test server
# $TEST_SERVER_VERSION (Java). Usage: temporal-test-server <port> [--enable-time-skipping]
exec '$java' ${TEST_SERVER_JVM_FLAGS[*]} \\
  -XX:SharedArchiveFile='$TEST_SERVER_JSA' -Xlog:cds=off -Xlog:cds+dynamic=off \\
  \${TEMPORAL_TEST_SERVER_JAVA_OPTS:-} \\
  -cp '$TEST_SERVER_LIB/*' io.temporal.testserver.TestServer "\$@"
WRAPPER
  chmod +x "$TEST_SERVER_BIN.tmp"
  mv "$TEST_SERVER_BIN.tmp" "$TEST_SERVER_BIN"
}

test_server_status() {
  if test_server_installed; then echo "test-server  installed  ${TEST_SERVER_BIN#"$ROOT"/}  temporal-test-server $TEST_SERVER_VERSION"
  else echo "test-server  not installed"; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  test_server_install
  log "test-server: ready (temporal-test-server $TEST_SERVER_VERSION)"
fi
