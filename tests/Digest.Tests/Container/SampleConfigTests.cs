using Digest.Tests.Support;

namespace Digest.Tests.Container;

/// <summary>The container image ships config.sample/ in place of the admin's config/: the two must not drift apart.</summary>
public sealed class SampleConfigTests
{
    [Theory]
    [InlineData("digest.json")]
    [InlineData("subscribers.json")]
    public void The_image_ships_the_same_sample_files_as_the_repository_config(string file)
    {
        // A setting renamed in config/ but left in config.sample/ is refused as unknown and the image cannot start.
        var sample = File.ReadAllText(Path.Combine(TestWorkspace.RepoRoot, "config.sample", file));
        var repository = File.ReadAllText(Path.Combine(TestWorkspace.RepoRoot, "config", file));
        Assert.Equal(repository, sample);
    }
}
