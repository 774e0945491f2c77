# syntax=docker/dockerfile:1
# The standalone TaskFlow silo. Build from the repository root:
#   docker build -f deploy/docker/Silo.Dockerfile -t taskflow-silo:local .
# The same image runs the schema migration: append `--migrate-only` to the command.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone first, so a change to a .cs file does not download the packages again.
# .editorconfig belongs here: warnings are errors and it sets analyzer severities.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig LICENSE ./
COPY docs/icon.png docs/
COPY src/Grains.Abstractions/TaskFlow.Grains.Abstractions.csproj src/Grains.Abstractions/
COPY src/Grains/TaskFlow.Grains.csproj src/Grains/
COPY src/Storage.Sqlite/TaskFlow.Storage.Sqlite.csproj src/Storage.Sqlite/
COPY src/Storage.PostgreSql/TaskFlow.Storage.PostgreSql.csproj src/Storage.PostgreSql/
COPY src/Silo/TaskFlow.Silo.csproj src/Silo/
RUN dotnet restore src/Silo/TaskFlow.Silo.csproj
COPY src/ src/
# TaskFlow.Storage.PostgreSql embeds the PostgreSQL scripts, so a silo applies exactly the schema of its own version.
COPY deploy/sql/ deploy/sql/
RUN dotnet publish src/Silo/TaskFlow.Silo.csproj --configuration Release --no-restore --output /app

# runtime, not aspnet: the silo carries no ASP.NET Core (its health endpoints use HttpListener, encrypted arguments
# the Data Protection library the runtime package brings).
FROM mcr.microsoft.com/dotnet/runtime:10.0 AS final
# The runtime images have neither curl nor wget, and the health check needs an HTTP client. wget, one small
# package with fewer libraries than curl, rather than a probe switch in the silo: a second entry point in the
# product for what is only a container concern.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
ENV TaskFlow__Cluster__HealthPort=8081
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
