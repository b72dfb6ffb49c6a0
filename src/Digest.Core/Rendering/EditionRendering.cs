using System.Collections.Concurrent;
using Digest.Editions;
using Digest.Subscribers;
using Microsoft.Extensions.Logging;

namespace Digest.Rendering;

/// <summary>
/// Renders one edition for all its readers: the Liquid templates run once per distinct set of followed
/// categories (<see cref="PersonalTemplate"/>), and each reader's message is that output with their values.
/// </summary>
public sealed class EditionRendering(DigestRenderer renderer, Edition edition, string listName, string? archiveUrl = null, ILogger? log = null, string? postalAddress = null)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Variant>>> _variants = new(StringComparer.OrdinalIgnoreCase);

    public Edition Edition { get; } = edition;

    public async ValueTask<PersonalMessage> RenderAsync(ReaderView reader, IReadOnlyList<string> categories)
    {
        var key = string.Join('\n', categories.Order(StringComparer.OrdinalIgnoreCase));
        var variant = await _variants.GetOrAdd(key, _ => new Lazy<Task<Variant>>(() => CreateAsync(categories, reader))).Value;
        if (variant.Template is { } template) return template.Fill(reader);
        var full = await renderer.RenderAsync(variant.View, reader);
        return new PersonalMessage(full.Subject, MessageBody.From(PersonalTemplate.HtmlForWire(full.Html)), MessageBody.From(PersonalTemplate.ForWire(full.Text)));
    }

    /// <summary>The edition as a reader with these categories sees it.</summary>
    public EditionView ViewFor(IReadOnlyList<string> categories)
    {
        var reader = new Subscriber("", null, categories);
        return EditionViews.Create(Edition, Edition.Comparisons.Where(c => reader.Follows(c.Categories)).ToList(), listName, archiveUrl, postalAddress);
    }

    private async Task<Variant> CreateAsync(IReadOnlyList<string> categories, ReaderView firstReader)
    {
        var view = ViewFor(categories);
        var template = await PersonalTemplate.CreateAsync(renderer, view, firstReader);
        if (template is null)
            log?.LogWarning(EditionEvents.RenderedInFull, "Edition {Edition}: the templates test or filter a reader value, so every reader is rendered in full (slower); print reader values as they are to avoid it", Edition.Number);
        return new Variant(view, template);
    }

    /// <summary>The view of one category set, and its slotted template unless the templates need a full render per reader.</summary>
    private sealed record Variant(EditionView View, PersonalTemplate? Template);
}
