# syntax=docker/dockerfile:1
# The TaskFlow API node (admin API, dashboard, SSE stream). Build from the repository root:
#   docker build -f deploy/docker/Api.Dockerfile -t taskflow-api:local .
# In a cluster it joins the silos as an Orleans client: TaskFlow__Cluster__Mode=Client. Unconfigured, it hosts
# its own silo on SQLite in /data (a trial on one machine).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore from the project files alone first, so a change to a .cs file does not download the packages again.
# .editorconfig belongs here: warnings are errors and it sets analyzer severities.
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props .editorconfig LICENSE ./
COPY docs/icon.png docs/
COPY src/Grains.Abstractions/TaskFlow.Grains.Abstractions.csproj src/Grains.Abstractions/
COPY src/Grains/TaskFlow.Grains.csproj src/Grains/
COPY src/AspNetCore/TaskFlow.AspNetCore.csproj src/AspNetCore/
COPY src/Storage.Sqlite/TaskFlow.Storage.Sqlite.csproj src/Storage.Sqlite/
COPY src/Storage.PostgreSql/TaskFlow.Storage.PostgreSql.csproj src/Storage.PostgreSql/
COPY src/Api/TaskFlow.Api.csproj src/Api/
RUN dotnet restore src/Api/TaskFlow.Api.csproj
COPY src/ src/
# TaskFlow.Storage.PostgreSql embeds the PostgreSQL scripts (an embedded silo on PostgreSQL applies them too).
COPY deploy/sql/ deploy/sql/
RUN dotnet publish src/Api/TaskFlow.Api.csproj --configuration Release --no-restore --output /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
# The runtime images have neither curl nor wget, and the health check needs an HTTP client. wget, one small
# package with fewer libraries than curl, rather than a probe switch in the API: a second entry point in the
# product for what is only a container concern.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends wget \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# /data is the one place the non-root user may write: the embedded default's SQLite file. A Client-mode node
# stores nothing there.
RUN mkdir /data && chown "$APP_UID:$APP_UID" /data
ENV ASPNETCORE_HTTP_PORTS=8080 \
    TaskFlow__Storage__ConnectionString="Data Source=/data/tasks.db"
# The image's own non-root user (APP_UID, 1654), who cannot write to /app: the code cannot change at run time.
USER $APP_UID
EXPOSE 8080
# Ready, not merely live: a node that cannot reach the cluster answers every task request with an error, and
# Docker acts on health only to report it and to order compose services.
# One request per check (--tries=1): waiting and retrying are the HEALTHCHECK options' business.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["wget", "--quiet", "--tries=1", "--timeout=4", "--output-document=/dev/null", "http://127.0.0.1:8080/health/ready"]
ENTRYPOINT ["dotnet", "TaskFlow.Api.dll"]
