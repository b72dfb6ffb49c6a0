using System.Text.RegularExpressions;
using Fluid;
using Microsoft.Extensions.FileProviders;

namespace Digest.Rendering;

/// <summary>
/// The Liquid templates of <c>templates/</c>, parsed once at start-up. Parsed templates are thread-safe
/// and rendered many times; a template that does not parse stops start-up with its file, line and column.
/// </summary>
public sealed partial class TemplateSet
{
    public const string HtmlFile = "digest.html.liquid";
    public const string TextFile = "digest.txt.liquid";
    public const string SubjectFile = "subject.liquid";
    public const string ArchiveFile = "archive.html.liquid";

    /// <summary>
    /// Steps (statements and loop iterations) one message may take, all templates together. The largest
    /// edition the comparison limits allow renders well within it (TemplateLimitTests); a template that
    /// runs away stops here instead of eating the machine's memory.
    /// </summary>
    public const int MaxSteps = 1_000_000;

    /// <summary>Partials nested in partials; the real templates nest two deep.</summary>
    public const int MaxRecursion = 10;

    public TemplateOptions Options { get; }
    public IFluidTemplate Html { get; }
    public IFluidTemplate Text { get; }
    public IFluidTemplate Subject { get; }
    public IFluidTemplate ArchiveIndex { get; }
    public string Folder { get; }

    public TemplateSet(string folder)
    {
        Folder = folder;
        if (!Directory.Exists(folder))
            throw new TemplateException($"{folder}: the templates folder does not exist (set Digest:Templates:Path).");

        var parser = new FluidParser();
        // Partials are parsed here too, so a broken one is found at start-up and not on the first send.
        foreach (var partial in Directory.EnumerateFiles(folder, "*.liquid", SearchOption.AllDirectories))
            Parse(parser, partial);

        Html = Parse(parser, Path.Combine(folder, HtmlFile));
        Text = Parse(parser, Path.Combine(folder, TextFile));
        Subject = Parse(parser, Path.Combine(folder, SubjectFile));
        ArchiveIndex = Parse(parser, Path.Combine(folder, ArchiveFile));

        Options = new TemplateOptions
        {
            FileProvider = new PhysicalFileProvider(Path.GetFullPath(folder)),
            DefaultFileExtension = ".liquid",
            MemberAccessStrategy = { MemberNameStrategy = MemberNameStrategies.SnakeCase },
            MaxRecursion = MaxRecursion,
            MaxSteps = MaxSteps,
        };
        Options.MemberAccessStrategy.Register<EditionView>();
        Options.MemberAccessStrategy.Register<ComparisonView>();
        Options.MemberAccessStrategy.Register<ToolView>();
        Options.MemberAccessStrategy.Register<ReviewView>();
        Options.MemberAccessStrategy.Register<ReaderView>();
        Options.MemberAccessStrategy.Register<ArchiveIndexView>();
        Options.MemberAccessStrategy.Register<ArchiveEntryView>();
        TextFilters.Register(Options.Filters);
    }

    private static IFluidTemplate Parse(FluidParser parser, string file)
    {
        string source;
        try
        {
            source = File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TemplateException($"{file}: cannot be read: {e.Message}");
        }
        if (parser.TryParse(source, out var template, out var error))
        {
            var ranges = new TemplateRangeLimit(MaxSteps);
            ranges.VisitTemplate(template);
            if (ranges.Problems.Count > 0) throw new TemplateException($"{file}: {string.Join("; ", ranges.Problems)}");
            return template;
        }
        var at = Location().Match(error);
        var where = at.Success ? $"{file}:{at.Groups[1].Value}:{at.Groups[2].Value}" : file;
        throw new TemplateException($"{where}: {error}");
    }

    [GeneratedRegex(@"\((\d+):(\d+)\)")]
    private static partial Regex Location();
}

/// <summary>A template is missing or broken; the message starts with file:line:column.</summary>
public sealed class TemplateException(string message, Exception? inner = null) : Exception(message, inner);
