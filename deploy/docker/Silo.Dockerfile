# syntax=docker/dockerfile:1
# The standalone TaskFlow silo. Build from the repository root:
#   docker build -f deploy/docker/Silo.Dockerfile -t taskflow-silo:local .
# The same image runs the schema migration: append `--migrate-only` to the command.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone first, so a change to a .cs file does not download the packages again.
# .editorconfig belongs here: warnings are errors and it sets analyzer severities.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Grains.Abstractions/TaskFlow.Grains.Abstractions.csproj src/Grains.Abstractions/
COPY src/Grains/TaskFlow.Grains.csproj src/Grains/
COPY src/AspNetCore/TaskFlow.AspNetCore.csproj src/AspNetCore/
COPY src/Silo/TaskFlow.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/TaskFlow.Silo.csproj
COPY src/ src/
# The runtime embeds the PostgreSQL scripts, so a silo applies exactly the schema of its own version.
COPY deploy/sql/ deploy/sql/
RUN dotnet publish src/Silo/TaskFlow.Silo.csproj --configuration Release --no-restore --output /app

# aspnet rather than runtime: the silo references TaskFlow.AspNetCore (Data Protection for encrypted arguments)
# and serves its health endpoints over HTTP.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
# The runtime images have neither curl nor wget, and the health check needs an HTTP client. wget, one small
# package with fewer libraries than curl, rather than a probe switch in the silo: a second entry point in the
# product for what is only a container concern.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# ASPNETCORE_HTTP_PORTS follows the health port: the base image says 8080, and any HTTP default the silo's
# web server falls back on must be the probed port, never a second one.
ENV TaskFlow__Cluster__HealthPort=8081 \
    ASPNETCORE_HTTP_PORTS=8081
# The image's own non-root user (APP_UID, 1654), who cannot write to /app: the code cannot change at run time.
USER $APP_UID
# Silo-to-silo, client gateway, health.
EXPOSE 11111 30000 8081
# Ready, not merely live: Docker acts on health only where compose waits for a service (depends_on
# service_healthy), and what the API nodes need there is a silo that has joined the cluster and answers grain calls.
# One request per check (--tries=1): waiting and retrying are the HEALTHCHECK options' business.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["wget", "--quiet", "--tries=1", "--timeout=4", "--output-document=/dev/null", "http://127.0.0.1:8081/health/ready"]
ENTRYPOINT ["dotnet", "TaskFlow.Silo.dll"]
