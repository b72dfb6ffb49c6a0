using Digest.Tests.Support;

namespace Digest.Tests.Storage.LiteDb;

// The port behaviour tests on the embedded default: the workspace's Digest:Store:Path is already a fresh LiteDB file.

public sealed class LiteDbDeliveryLedgerTests : DeliveryLedgerContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}

public sealed class LiteDbSenderLeaseStoreTests : SenderLeaseStoreContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}

public sealed class LiteDbSuppressionsTests : SuppressionsContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}

public sealed class LiteDbEditionStoreTests : EditionStoreContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}

public sealed class LiteDbComparisonStoreTests : ComparisonStoreContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}

public sealed class LiteDbBounceLedgerTests : BounceLedgerContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}

public sealed class LiteDbScheduleAndIdentityTests : ScheduleAndIdentityContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}

public sealed class LiteDbSignupsTests : SignupsContract
{
    protected override void UseStore(TestWorkspace workspace) { }
}
