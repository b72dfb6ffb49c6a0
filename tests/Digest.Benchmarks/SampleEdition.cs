using Digest.Bounces;
using Digest.Comparisons;
using Digest.Editions;
using Digest.Messages;
using Digest.Rendering;
using Digest.Subscribers;
using Microsoft.Extensions.Options;

namespace Digest.Benchmarks;

/// <summary>
/// What one personal message is made from, as the worker has it mid-edition: the real templates/, the
/// newest sample comparisons of config/comparisons/ (up to Digest:Edition:MaxComparisons), one reader.
/// </summary>
public sealed class SampleEdition
{
    public DigestRenderer Renderer { get; }
    public MessageBuilder Builder { get; }
    public EditionView View { get; }

    /// <summary>The edition as the sender renders it: Liquid once, then each reader's values put in.</summary>
    public EditionRendering Rendering { get; }
    public Digest.Ledger.DeliveryRecord Delivery { get; }
    public ReaderView Reader { get; }
    public int Number => 1;

    public SampleEdition()
    {
        var root = RepositoryRoot();
        var options = Options.Create(new DigestOptions());
        // A store of its own for the Message-IDs' store id, and a key in memory: the benchmark leaves no key file behind.
        options.Value.Store.Path = Path.Combine(Directory.CreateTempSubdirectory("digest-bench-").FullName, "digest.db");
        options.Value.Unsubscribe.Key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var key = new UnsubscribeKey(options);
        Renderer = new DigestRenderer(new TemplateSet(Path.Combine(root, "templates")));
        Builder = new MessageBuilder(options, new UnsubscribeTokens(options, key), new DkimSigning(options), TimeProvider.System,
            new ReturnPaths(options, key), new MessageIds(options, new Storage.LiteDb.LiteDbStoreIdentity(new Storage.LiteDb.LiteDbStore(options.Value.Store.Path)), key));

        var comparisons = Directory.EnumerateFiles(Path.Combine(root, "config", "comparisons"), "*.json")
            .SelectMany(file => ComparisonDocument.ReadFile(file, File.ReadAllBytes(file)))
            .OrderByDescending(c => c.PublishedAt)
            .Take(options.Value.Edition.MaxComparisons)
            .ToList();
        var edition = new Edition { Number = Number, CutOff = DateTime.UtcNow, Comparisons = comparisons };
        View = EditionViews.Create(edition, comparisons, options.Value.ListName);
        Rendering = new EditionRendering(Renderer, edition, options.Value.ListName);

        Delivery = new Digest.Ledger.DeliveryRecord
        {
            Edition = Number,
            Email = "ada.lovelace@example.com",
            Key = "ada.lovelace@example.com",
            Name = "Ada Lovelace",
            MessageId = Builder.MessageIdFor(Number, 0, "ada.lovelace@example.com"),
        };
        Reader = Builder.Reader(Delivery.Email, Delivery.Name);
    }

    /// <summary>The folder holding Digest.sln: BenchmarkDotNet runs the benchmarks from a generated project deep below bin/.</summary>
    private static string RepositoryRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Digest.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Digest.sln not found above the benchmark's folder; run from inside the repository.");
    }
}
