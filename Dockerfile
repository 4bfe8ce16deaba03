# RnnRbm service image: the same binary serves every role (web, worker, all) — see docs/deployment.md.
# Build:  docker build -t rnnrbm .
# Run:    docker run -p 8080:8080 -v rnnrbm-data:/data rnnrbm            (embedded SQLite, role "all")
# Scale:  docker-compose.yml (PostgreSQL, one web node, N workers): RnnRbm__Role, RnnRbm__Database, ConnectionStrings__Postgres.

# --- build ---------------------------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig RnnRbm.sln ./
COPY src/ src/
RUN dotnet publish src/Api/RnnRbm.Api.csproj -c Release -o /app --nologo

# --- runtime: Debian 12, for Intel MKL from Debian's non-free component ------------------------
FROM debian:12-slim AS runtime
# The .NET runtime comes from Microsoft's image (Ubuntu-based); Debian 12 carries MKL, FluidSynth and the soundfont.
COPY --from=mcr.microsoft.com/dotnet/aspnet:10.0 /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && sed -i 's/^Components: main$/Components: main non-free/' /etc/apt/sources.list.d/debian.sources \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl libmkl-rt libopenblas0-pthread fluidsynth timgm6mb-soundfont opus-tools \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin rnnrbm \
 && install -d -o rnnrbm -g rnnrbm /data
WORKDIR /app
COPY --from=build /app ./
COPY datasets/demo/ /app/bundled/datasets/demo/
COPY models/ /app/bundled/models/
ENV ASPNETCORE_URLS=http://+:8080 \
    DOTNET_RUNNING_IN_CONTAINER=true \
    # One thread per BLAS call, and no OpenMP runtime needed (docs/numerics.md).
    MKL_THREADING_LAYER=SEQUENTIAL \
    RnnRbm__DataFolder=/data \
    RnnRbm__BundledDataFolder=/app/bundled
USER rnnrbm
EXPOSE 8080
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["dotnet", "/app/RnnRbm.Api.dll"]
