# shellcheck shell=bash
# Which JDK builds and runs this project, in one place: sourced by ./flashsale and .ci/run.
#
# pick_jdk: $JAVA_HOME when it is a JDK 21 or newer; else the JDK of the `javac` on the PATH when it is 21 or newer;
# else the newest JDK 21+ found where JDKs are usually installed (Debian/Ubuntu /usr/lib/jvm, macOS
# /Library/Java/JavaVirtualMachines, SDKMAN, IntelliJ's ~/.jdks). A machine whose default `java` is 17 with a JDK 25
# installed beside it gets the JDK 25.
#
# use_jdk: exports JAVA_HOME and PATH for it, and the flags its JVMs need (FLASHSALE_JVM_FLAGS for the runner,
# MAVEN_OPTS for Maven) so that neither prints JVM warnings.

JDK_MIN_MAJOR=21

# Version of a JDK directory: JAVA_VERSION from its release file, else parsed from `java -version`.
jdk_version() {
  local home=$1 v=""
  if [[ -r "$home/release" ]]; then
    v=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release" | head -n1)
  fi
  if [[ -z "$v" ]]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)
  fi
  printf '%s' "$v"
}

# Feature release of a version string: 1.8.0_402 -> 8, 17.0.15 -> 17, 25 -> 25, 25-ea -> 25.
jdk_major() {
  local v=${1%%[-+]*}
  if [[ "$v" == 1.* ]]; then v=${v#1.}; fi
  v=${v%%.*}
  [[ "$v" =~ ^[0-9]+$ ]] && printf '%s' "$v" || printf '0'
}

newer() {  # is version $1 later than $2?
  [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n1)" == "$1" ]]
}

# Is $1 a JDK (java and javac, not a JRE) of at least JDK_MIN_MAJOR?
usable_jdk() {
  local home=$1
  [[ -n "$home" && -x "$home/bin/java" && -x "$home/bin/javac" ]] || return 1
  (( $(jdk_major "$(jdk_version "$home")") >= JDK_MIN_MAJOR ))
}

jdk_candidates() {
  local dir
  for dir in /usr/lib/jvm/*/ /Library/Java/JavaVirtualMachines/*/Contents/Home/ \
             "$HOME"/.sdkman/candidates/java/*/ "$HOME"/.jdks/*/; do
    [[ -d "$dir" ]] && printf '%s\n' "${dir%/}"
  done
  return 0
}

pick_jdk() {
  local home v best="" best_v="" seen=" " javac
  if [[ -n "${JAVA_HOME:-}" ]] && usable_jdk "$JAVA_HOME"; then
    printf '%s' "$JAVA_HOME"
    return
  fi
  if javac=$(command -v javac 2>/dev/null) && home=$(dirname "$(dirname "$(readlink -f "$javac")")") && usable_jdk "$home"; then
    printf '%s' "$home"
    return
  fi
  while IFS= read -r home; do
    home=$(readlink -f "$home") || continue
    [[ "$seen" == *" $home "* ]] && continue        # java-1.17.0-openjdk-amd64 -> java-17-openjdk-amd64
    seen+="$home "
    usable_jdk "$home" || continue
    v=$(jdk_version "$home")
    if [[ -z "$best" ]] || newer "$v" "$best_v"; then
      best=$home best_v=$v
    fi
  done < <(jdk_candidates)
  printf '%s' "$best"
}

# Flags for a JVM of major version $1: from JDK 23 on, sun.misc.Unsafe's memory access methods print a warning on
# first use (JEP 471/498); Pekko (ElasticMQ) and Maven's Guava call them. The flag does not exist before 23.
jvm_quiet_flags() {
  if (( $1 >= 23 )); then printf '%s' "--sun-misc-unsafe-memory-access=allow"; fi
}

use_jdk() {
  local jdk major flags
  jdk=$(pick_jdk)
  if [[ -z "$jdk" ]]; then
    printf 'error: no JDK %s or newer found (JAVA_HOME, the PATH, /usr/lib/jvm, /Library/Java/JavaVirtualMachines, ~/.sdkman, ~/.jdks).\n' "$JDK_MIN_MAJOR" >&2
    printf '       Install one (the Lambda runtime is java21), e.g. apt-get install openjdk-21-jdk, or set JAVA_HOME.\n' >&2
    return 1
  fi
  major=$(jdk_major "$(jdk_version "$jdk")")
  flags=$(jvm_quiet_flags "$major")
  export JAVA_HOME=$jdk
  export PATH="$JAVA_HOME/bin:$PATH"
  export FLASHSALE_JVM_FLAGS=$flags
  if [[ -n "$flags" && "${MAVEN_OPTS:-}" != *"$flags"* ]]; then
    export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }$flags"
  fi
}
