using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;

namespace Digest.Rendering;

/// <summary>Renders one reader's message of an edition: subject, HTML body and plain-text body.</summary>
public sealed class DigestRenderer(TemplateSet templates)
{
    // Encodes markup characters but leaves readable Unicode (em dashes, curly quotes) as it is.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public async ValueTask<RenderedMessage> RenderAsync(EditionView edition, ReaderView reader)
    {
        var context = new TemplateContext(templates.Options);
        context.SetValue("edition", edition);
        context.SetValue("reader", reader);
        var subject = CollapseWhitespace(await RenderSafelyAsync(templates.Subject, TemplateSet.SubjectFile, context, NullEncoder.Default));
        context.SetValue("subject", subject);
        var html = await RenderSafelyAsync(templates.Html, TemplateSet.HtmlFile, context, Html);
        var text = await RenderSafelyAsync(templates.Text, TemplateSet.TextFile, context, NullEncoder.Default);
        return new RenderedMessage(subject, html, text);
    }

    /// <summary>
    /// The edition as a web page for the archive: the same HTML template with no reader, so the page holds no
    /// name, address or unsubscribe token and the template shows its archive footer instead.
    /// </summary>
    public async ValueTask<string> RenderArchivePageAsync(EditionView edition)
    {
        var context = new TemplateContext(templates.Options);
        context.SetValue("edition", edition);
        context.SetValue("subject", CollapseWhitespace(await RenderSafelyAsync(templates.Subject, TemplateSet.SubjectFile, context, NullEncoder.Default)));
        return await RenderSafelyAsync(templates.Html, TemplateSet.HtmlFile, context, Html);
    }

    public async ValueTask<string> RenderArchiveIndexAsync(ArchiveIndexView index)
    {
        var context = new TemplateContext(templates.Options);
        context.SetValue("archive", index);
        return await RenderSafelyAsync(templates.ArchiveIndex, TemplateSet.ArchiveFile, context, Html);
    }

    /// <summary>
    /// Renders a small built-in edition once at start-up, so a missing partial or a bad filter stops the
    /// worker now rather than on Monday morning; it also warms Fluid's partial cache.
    /// </summary>
    public async Task SelfCheckAsync(string listName)
    {
        var sample = new Editions.Edition
        {
            Number = 1,
            CutOff = new DateTime(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc),
            Comparisons =
            [
                new Comparisons.Comparison
                {
                    Slug = "sample",
                    Title = "Sample A vs Sample B",
                    Question = "Which one?",
                    Url = "https://example.com/sample",
                    Tools =
                    [
                        new Comparisons.Tool { Name = "Sample A", Category = "Samples", Tagline = "A", PanelShip = 50, Entry = "Free", Summary = "A." },
                        new Comparisons.Tool { Name = "Sample B", Category = "Samples", Tagline = "B", PanelShip = 60, Community = 70, Entry = "Paid", Summary = "B." },
                    ],
                    Reviews = [new Comparisons.Review { Tool = "Sample A", Lens = "Buyer", Verdict = "Ship", Quote = "Fine." }],
                },
            ],
        };
        var view = EditionViews.Create(sample, sample.Comparisons, listName, "https://example.com/archive/1");
        await RenderAsync(view, new ReaderView("reader@example.com", "Reader", "Reader", "https://example.com/unsubscribe?token=t"));
        await RenderArchivePageAsync(view);
        await RenderArchiveIndexAsync(new ArchiveIndexView(listName, [new ArchiveEntryView(1, view.Date, "edition-0001.html", ["Sample A vs Sample B"])]));
    }

    private static async ValueTask<string> RenderSafelyAsync(IFluidTemplate template, string file, TemplateContext context, TextEncoder encoder)
    {
        try
        {
            return await template.RenderAsync(context, encoder);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("The maximum", StringComparison.Ordinal))
        {
            // Fluid reports both limits as "maximum level of recursion", whichever was reached.
            throw new TemplateException(string.Create(CultureInfo.InvariantCulture,
                $"{file}: stopped after {TemplateSet.MaxSteps:N0} steps or {TemplateSet.MaxRecursion} nested partials: a loop that runs away, or a partial that renders itself?"), e);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A missing partial or a bad filter argument only shows when rendering.
            throw new TemplateException($"{file}: failed to render: {e.Message}", e);
        }
    }

    private static string CollapseWhitespace(string value) =>
        string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
