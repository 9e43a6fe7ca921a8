# syntax=docker/dockerfile:1
# freshness_exporter image: built and run on Debian 12 with the same Debian packages as a native
# build (scripts/apt-packages.txt), no vendored libraries.
#
#   docker build -t freshness-exporter .        (or: buildah bud -t freshness-exporter .;
#                                                 ctest -L image builds and runs it that way)
#   docker run --rm -p 9560:9560 -v "$PWD/examples/demo/freshness.yml:/etc/freshness-exporter/freshness.yml:ro" \
#     -e DEMO_DSN='host=db user=freshness_reader dbname=pipeline' freshness-exporter
ARG DEBIAN_RELEASE=bookworm

# --- build: compile with the library -dev packages of scripts/apt-packages.txt -------------------
FROM debian:${DEBIAN_RELEASE} AS build
COPY scripts/apt-packages.txt /tmp/apt-packages.txt
# Only what compiling the exporter needs: the C++ toolchain and the library -dev packages (the
# list also names test servers and tools that have no place in an image).
RUN set -eux; \
    grep -xE 'build-essential|cmake|pkg-config|git|tzdata|[a-z0-9.+-]+-dev' \
      /tmp/apt-packages.txt | grep -vE '^(golang-|libgtest-dev$|libgmock-dev$|libclang-rt-)' > /tmp/build-packages.txt; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive xargs -a /tmp/build-packages.txt \
      apt-get install -y --no-install-recommends build-essential cmake pkg-config; \
    rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The image has no .git: pass the revision for build_info, e.g. --build-arg REVISION=$(git rev-parse --short=12 HEAD).
ARG REVISION=unknown
RUN set -eux; \
    cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DFRESHNESS_BUILD_TESTS=OFF \
      -DFRESHNESS_REVISION="${REVISION}"; \
    cmake --build build --target freshness_exporter -j"$(nproc)"; \
    install -D -m 0755 -s build/exporter/freshness_exporter /out/usr/bin/freshness_exporter; \
    /out/usr/bin/freshness_exporter --help >/dev/null
# The runtime packages are the ones owning the shared libraries the binary links, so the final
# image carries exactly the Debian packages the build used, in their runtime form.
RUN set -eux; \
    for lib in $(ldd /out/usr/bin/freshness_exporter | awk '$2 == "=>" && $3 ~ /^\// {print $3}'); do \
      dpkg -S "$lib" 2>/dev/null || dpkg -S "$(realpath "$lib")" 2>/dev/null \
        || dpkg -S "/usr$lib" 2>/dev/null || dpkg -S "${lib#/usr}"; \
    done | cut -d: -f1 | sort -u > /out/runtime-packages.txt; \
    cat /out/runtime-packages.txt

# --- runtime: the binary, its libraries, time zones and CA certificates -------------------------
FROM debian:${DEBIAN_RELEASE}-slim
COPY --from=build /out/runtime-packages.txt /tmp/runtime-packages.txt
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive xargs -a /tmp/runtime-packages.txt \
      apt-get install -y --no-install-recommends tzdata ca-certificates; \
    rm -rf /var/lib/apt/lists/* /tmp/runtime-packages.txt; \
    groupadd --system --gid 65532 freshness; \
    useradd --system --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin freshness; \
    install -d -m 0755 /etc/freshness-exporter
COPY --from=build /out/usr/bin/freshness_exporter /usr/bin/freshness_exporter
# The configuration is mounted here (docker compose, the Helm chart's ConfigMap). Created above:
# buildah, unlike docker, does not create a WORKDIR that no later instruction writes to.
WORKDIR /etc/freshness-exporter
USER 65532:65532
EXPOSE 9560
ENTRYPOINT ["/usr/bin/freshness_exporter"]
CMD ["--config.file=/etc/freshness-exporter/freshness.yml", "--web.listen-address=:9560"]
