# The prediction API in a container, as the course's Heroku-style deployment runs it: Debian 12,
# `modelaudit-cli serve` on $PORT (default 8000) with the model the pipeline trained.
#   make model                                    # models/model.bin (the DVC pipeline)
#   docker build -t modelaudit .
#   docker run -p 8000:8000 -e MODELAUDIT_TOKEN=secret modelaudit
#   curl -H 'Authorization: Bearer secret' localhost:8000/health
# Another model: -v /path/to/dir:/models -e MODELAUDIT_MODEL=/models/model.bin.
# Outside loopback the server requires a token: without MODELAUDIT_TOKEN it refuses to start.

FROM debian:12 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN bash scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null \
    && cmake --build /build --target modelaudit-cli \
    && strip /build/bin/modelaudit-cli

FROM debian:12-slim
# The libraries modelaudit-cli links (dpkg-shlibdeps names the same ones for the .deb), the
# offscreen platform plugin for PDF export, and curl for the health check.
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libqt6core6 libqt6gui6 libqt6network6 libqt6httpserver6 qt6-qpa-plugins \
        libdlib19.1 libxgboost0 libopenblas0-pthread libyaml-cpp0.7 libgit2-1.5 curl ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin modelaudit
COPY --from=build /build/bin/modelaudit-cli /usr/local/bin/modelaudit-cli
COPY models/model.bin /models/model.bin
ENV MODELAUDIT_MODEL=/models/model.bin \
    MODELAUDIT_HOST=0.0.0.0 \
    PORT=8000 \
    QT_QPA_PLATFORM=offscreen
USER modelaudit
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s \
    CMD curl -fsS -H "Authorization: Bearer ${MODELAUDIT_TOKEN}" "http://127.0.0.1:${PORT}/health" || exit 1
CMD ["sh", "-c", "exec modelaudit-cli serve --model \"$MODELAUDIT_MODEL\" --host \"$MODELAUDIT_HOST\" --port \"$PORT\""]
