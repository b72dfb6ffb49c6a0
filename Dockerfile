# Build: the SDK image restores and publishes the worker. .ci/container-smoke runs these same steps as plain
# commands (there is no Docker engine in CI) and then the published digest.dll.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Digest.sln ./
COPY src/Digest.Core/Digest.Core.csproj src/Digest.Core/
COPY src/Digest.Worker/Digest.Worker.csproj src/Digest.Worker/
RUN dotnet restore src/Digest.Worker/Digest.Worker.csproj
COPY src/ src/
RUN dotnet publish src/Digest.Worker/Digest.Worker.csproj -c Release --no-restore -o /out -p:DebugType=none

# Run: the ASP.NET runtime (the unsubscribe listener needs it), as the image's non-root "app" user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out/ ./
COPY templates/ templates/
# The samples, not whatever config/ holds in the build context (.dockerignore keeps the real list and secrets out).
COPY config.sample/ config/
COPY config/comparisons/ config/comparisons/
# data/ (the store) and outbox/ hold readers' addresses: the app user's only. The archive is public.
RUN mkdir -p data archive outbox && chown -R app:app data archive outbox && chmod 700 data outbox
USER app
# Logs go to stdout; Digest__LogFormat=json makes them one JSON object a line.
ENV DOTNET_gcServer=0 \
    DIGEST_CONFIG=/app/config/digest.json \
    Digest__Archive__Path=/app/archive \
    Digest__Outbox__Path=/app/outbox \
    Digest__Health__HeartbeatPath=/app/data/heartbeat
VOLUME ["/app/config", "/app/data", "/app/archive", "/app/outbox"]
# The worker touches data/heartbeat every 30s; `health` fails once it is 90s old.
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=2 CMD ["dotnet", "/app/digest.dll", "health"]
ENTRYPOINT ["dotnet", "/app/digest.dll"]
CMD ["run"]
