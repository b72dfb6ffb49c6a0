using Digest.Tests.Support;

namespace Digest.Tests.Storage.PostgreSql;

// The port behaviour tests on PostgreSQL: one throwaway server per class, a new database per test. Where the
// server is not installed each test skips with PostgresFixture.Missing (the contracts use [SkippableFact]:
// xunit 2 decides a [Fact]'s skip per method, not per subclass).

internal static class PostgreSqlSettings
{
    public static void Use(TestWorkspace workspace, PostgresFixture server)
    {
        Skip.If(PostgresFixture.Binaries is null, PostgresFixture.Missing);
        workspace.Settings["Digest:Store:Provider"] = "PostgreSql";
        workspace.Settings["Digest:Store:ConnectionString"] = server.NewDatabase();
    }
}

public sealed class PostgreSqlDeliveryLedgerTests(PostgresFixture server) : DeliveryLedgerContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}

public sealed class PostgreSqlSenderLeaseStoreTests(PostgresFixture server) : SenderLeaseStoreContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}

public sealed class PostgreSqlSuppressionsTests(PostgresFixture server) : SuppressionsContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}

public sealed class PostgreSqlEditionStoreTests(PostgresFixture server) : EditionStoreContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}

public sealed class PostgreSqlComparisonStoreTests(PostgresFixture server) : ComparisonStoreContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}

public sealed class PostgreSqlBounceLedgerTests(PostgresFixture server) : BounceLedgerContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}

public sealed class PostgreSqlScheduleAndIdentityTests(PostgresFixture server) : ScheduleAndIdentityContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}

public sealed class PostgreSqlSignupsTests(PostgresFixture server) : SignupsContract, IClassFixture<PostgresFixture>
{
    protected override void UseStore(TestWorkspace workspace) => PostgreSqlSettings.Use(workspace, server);
}
