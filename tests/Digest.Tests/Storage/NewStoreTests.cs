using Digest.Storage.LiteDb;

namespace Digest.Tests.Storage;

/// <summary>A store that does not exist yet is made whole before anyone else can see it.</summary>
public sealed class NewStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("digest-newstore-").FullName;

    [Fact]
    public async Task Processes_opening_a_new_store_at_the_same_moment_all_get_a_working_store_none_a_damaged_one()
    {
        // A worker and an admin's command starting together on a fresh install: each opens the store that is
        // not there yet. Eight openers on each of twenty new files make the window between "file exists" and
        // "its collections exist" easy to hit.
        for (var round = 0; round < 20; round++)
        {
            var path = Path.Combine(_folder, $"digest-{round}.db");
            using var start = new ManualResetEventSlim();
            var openers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
            {
                start.Wait();
                using var store = new LiteDbStore(path);
                return store.Comparisons.Count();
            })).ToList();
            start.Set();
            var counts = await Task.WhenAll(openers);
            Assert.All(counts, c => Assert.Equal(0, c));
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }
}
