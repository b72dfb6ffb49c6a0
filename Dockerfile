# Build: the SDK image restores and publishes the worker.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props Digest.sln ./
COPY src/Digest.Core/Digest.Core.csproj src/Digest.Core/
COPY src/Digest.Worker/Digest.Worker.csproj src/Digest.Worker/
RUN dotnet restore src/Digest.Worker/Digest.Worker.csproj
COPY src/ src/
RUN dotnet publish src/Digest.Worker/Digest.Worker.csproj -c Release --no-restore -o /out

# Run: the ASP.NET runtime (the unsubscribe listener needs it), as the image's non-root "app" user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /out/ ./
COPY templates/ templates/
COPY config/ config/
RUN mkdir -p data && chown -R app:app data
USER app
ENV DOTNET_gcServer=0 \
    DIGEST_CONFIG=/app/config/digest.json
VOLUME ["/app/config", "/app/data"]
ENTRYPOINT ["dotnet", "/app/digest.dll"]
CMD ["run"]
