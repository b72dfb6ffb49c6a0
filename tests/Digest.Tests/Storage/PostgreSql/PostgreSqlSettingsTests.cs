using Digest.Tests.Support;

namespace Digest.Tests.Storage.PostgreSql;

public sealed class PostgreSqlSettingsTests : WorkspaceTest
{
    [Fact]
    public async Task PostgreSql_without_a_connection_string_fails_start_up_naming_the_key()
    {
        Ws.Settings["Digest:Store:Provider"] = "PostgreSql";

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Store:ConnectionString must be set when Digest:Store:Provider is PostgreSql.", result.Error);
    }

    [Fact]
    public async Task An_unknown_provider_fails_start_up_naming_the_key_and_the_choices()
    {
        Ws.Settings["Digest:Store:Provider"] = "Mongo";

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Store:Provider", result.Error);
        Assert.Contains("Mongo", result.Error);
    }

    [Fact]
    public async Task A_malformed_connection_string_is_refused_naming_the_key_without_showing_the_password()
    {
        Ws.Settings["Digest:Store:Provider"] = "PostgreSql";
        Ws.Settings["Digest:Store:ConnectionString"] = "Host=db.example.com;Password=hunter2-secret;Colour=blue";

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Store:ConnectionString is not a valid PostgreSQL connection string", result.Error);
        Assert.Contains("Host=db.example.com", result.Error);
        Assert.DoesNotContain("hunter2-secret", result.Error + result.Output);
    }

    [Fact]
    public async Task A_password_file_that_does_not_exist_is_refused_naming_the_key()
    {
        Ws.Settings["Digest:Store:Provider"] = "PostgreSql";
        Ws.Settings["Digest:Store:ConnectionString"] = "Host=127.0.0.1;Database=digest;Username=digest";
        Ws.Settings["Digest:Store:PasswordFile"] = Path.Combine(Ws.Root, "no-such-file");

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"Digest:Store:PasswordFile names a file that does not exist, was \"{Path.Combine(Ws.Root, "no-such-file")}\".", result.Error);
    }

    [Fact]
    public void The_store_description_masks_the_password_and_reads_the_password_file()
    {
        var file = Ws.WriteFile("pg-password", "from-the-file\n");
        var options = new StoreOptions
        {
            Provider = StoreProvider.PostgreSql,
            ConnectionString = "Host=127.0.0.1;Port=5433;Database=digest;Username=digest;Password=in-the-string",
            PasswordFile = file,
        };

        Assert.Equal("PostgreSQL Host=127.0.0.1;Port=5433;Database=digest;Username=digest;Password=***", options.Describe());
        Assert.Contains("Password=from-the-file", Digest.Storage.PostgreSql.PostgreSqlConnection.ConnectionString(options));
        Assert.Equal(Path.GetFullPath("data/digest.db"), new StoreOptions().Describe());
    }

    [Fact]
    public async Task PostgreSql_without_an_unsubscribe_key_in_the_settings_is_refused_since_each_machine_would_make_its_own()
    {
        Ws.Settings["Digest:Store:Provider"] = "PostgreSql";
        Ws.Settings["Digest:Store:ConnectionString"] = "Host=127.0.0.1;Database=digest;Username=digest";
        Ws.Settings.Remove("Digest:Unsubscribe:Key");

        var result = await Ws.RunAsync("status");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Digest:Unsubscribe:Key or Digest:Unsubscribe:KeyFile must be set when Digest:Store:Provider is PostgreSql", result.Error);
        Assert.False(File.Exists(Path.Combine(Ws.Root, "data", "digest.key")));
    }
}
