# RnnRbm service image: the same binary serves every role (web, worker, all) — see docs/deployment.md.
# Build:  docker build -t rnnrbm .
#         docker build -t rnnrbm:slim --build-arg NATIVE_BLAS=libopenblas0-pthread .   (no Intel MKL: about 750 MiB less)
# Run:    docker run -p 8080:8080 -v rnnrbm-data:/data rnnrbm            (embedded SQLite, role "all")
# Scale:  docker-compose.yml (PostgreSQL, one web node, N workers): RnnRbm__Role, RnnRbm__Database, ConnectionStrings__Postgres.
#
# The base images are build arguments; the defaults are the public ones. Where no image registry is reachable,
# scripts/container-bases.sh makes local stand-ins (Debian by debootstrap, .NET copied from the installed SDK) and
# scripts/container-test.sh builds with them (docs/deployment.md, "With podman").
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG DOTNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG BASE_IMAGE=debian:12-slim

# Where the ASP.NET Core runtime is copied from (only its /usr/share/dotnet is used).
FROM ${DOTNET_IMAGE} AS dotnet

# --- build ---------------------------------------------------------------------------------------
FROM ${SDK_IMAGE} AS build
# Empty: restore from the SDK's configured source (nuget.org). A folder: restore from that folder only, e.g. a
# host's NuGet packages folder mounted read-only into the build (podman build -v ~/.nuget/packages:/nuget:ro
# --build-arg NUGET_SOURCE=/nuget), for machines whose NuGet traffic the container cannot make itself.
ARG NUGET_SOURCE=
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig RnnRbm.sln ./
COPY src/ src/
# --use-current-runtime: the native libraries of this platform only (SkiaSharp, SQLite): 37 MB, where a portable
# publish carries every platform's, 598 MB (measured; docs/deployment.md, "Image size and MKL").
RUN dotnet publish src/Api/RnnRbm.Api.csproj -c Release -o /app --nologo --use-current-runtime --self-contained false \
      ${NUGET_SOURCE:+--source "$NUGET_SOURCE"}

# --- runtime: Debian 12, for Intel MKL from Debian's non-free component ------------------------
FROM ${BASE_IMAGE} AS runtime
# The native BLAS libraries to install. Default: Intel MKL (non-free, about 750 MiB installed) and OpenBLAS (about
# 40 MiB). NATIVE_BLAS=libopenblas0-pthread leaves MKL out; the C# kernels (backend simd) are always there and are
# the fastest of the three on an AVX-512 CPU (docs/deployment.md, "Image size and MKL").
ARG NATIVE_BLAS="libmkl-rt libopenblas0-pthread"
# The .NET runtime comes from Microsoft's image (Ubuntu-based); Debian 12 carries MKL, FluidSynth and the soundfont.
COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
# Non-free is added beside whichever sources file the base has (debian:12-slim: deb822 debian.sources; a debootstrap
# base: sources.list), on the same mirror.
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && mirror=$(cat /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list 2>/dev/null \
             | awk '/^URIs:/ || $1 == "deb" {print $2; exit}') \
 && case " $NATIVE_BLAS " in *" libmkl-rt "*) echo "deb ${mirror:-http://deb.debian.org/debian} bookworm non-free" \
      > /etc/apt/sources.list.d/non-free.list ;; esac \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 curl $NATIVE_BLAS fluidsynth timgm6mb-soundfont opus-tools \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
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
# /data holds the SQLite database of a single node (docker run -v rnnrbm-data:/data). No VOLUME here: with
# PostgreSQL nothing is written there, and a VOLUME line would give every node an anonymous volume it never uses.
# Health is readiness: the process answers and its database answers a query (/healthz/ready, 503 otherwise), so a
# node that lost its database is unhealthy, not just alive.
HEALTHCHECK --interval=10s --timeout=6s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/healthz/ready || exit 1
ENTRYPOINT ["dotnet", "/app/RnnRbm.Api.dll"]
