using System.CommandLine;
using Digest.Editions;
using Digest.Input;
using Digest.Messages;
using Digest.Subscribers;
using Digest.Worker.Preview;
using MimeKit;

namespace Digest.Worker.Cli;

/// <summary>`digest preview`: renders exactly what the next send would deliver to one reader; sends and records nothing.</summary>
public static class PreviewCommand
{
    public static Command Create(CliContext context)
    {
        var subscriber = new Option<string?>("--subscriber") { Description = "The reader to render for (default: the first in the subscriber file)." };
        var text = new Option<bool>("--text") { Description = "The plain-text part instead of the HTML." };
        var eml = new Option<bool>("--eml") { Description = "The whole MIME message, headers included." };
        var edition = new Option<int?>("--edition") { Description = "A stored edition instead of the next one." };
        var output = new Option<string?>("--out") { Description = "Write to this file instead of standard output." };
        var png = new Option<string?>("--png") { Description = "Also save a screenshot of the HTML as the browser shows it (needs Chromium)." };
        var width = new Option<int>("--width") { Description = "Screen width of the --png screenshot in CSS pixels.", DefaultValueFactory = _ => 600 };
        var command = new Command("preview", "Render the next edition for one reader, exactly as it would be sent.") { subscriber, text, eml, edition, output, png, width };
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: true, async (services, stopping) =>
        {
            // Checked first so an admin without a browser is told before anything is rendered.
            var configured = services.GetRequiredService<IConfiguration>()[HeadlessChromium.Setting];
            var chromium = parse.GetValue(png) is null ? null : HeadlessChromium.Find(configured);
            if (parse.GetValue(png) is not null && chromium is null)
            {
                var why = string.IsNullOrWhiteSpace(configured) ? HeadlessChromium.Missing : $"{HeadlessChromium.Setting} \"{configured}\" does not exist";
                await context.Error.WriteLineAsync($"preview --png: {why}; use --out FILE.html and open it in a browser instead.");
                return ExitCodes.BadInput;
            }
            if (parse.GetValue(width) is < 200 or > 2000)
            {
                await context.Error.WriteLineAsync($"preview --width must be between 200 and 2000, was {parse.GetValue(width)}.");
                return ExitCodes.BadInput;
            }
            var chosen = Choose(services, parse.GetValue(edition));
            if (chosen is null)
            {
                await context.Error.WriteLineAsync("No comparison is waiting for an edition: the next send would send nothing. Use --edition N to preview a stored edition.");
                return ExitCodes.Done;
            }
            var reader = Reader(services, parse.GetValue(subscriber));
            var builder = services.GetRequiredService<MessageBuilder>();
            var delivery = new Digest.Ledger.DeliveryRecord
            {
                Edition = chosen.Number,
                Email = reader.Email,
                Key = reader.Key,
                Name = reader.Name,
                Categories = reader.Categories.ToList(),
                // The one the reader got or gets when the edition's plan holds them; a draft has no plan yet, so no position in it.
                MessageId = services.GetRequiredService<Digest.Ledger.IDeliveryLedger>().Find(chosen.Number, reader.Email)?.MessageId
                    ?? builder.MessageIdFor(chosen.Number, 0, reader.Email),
            };
            var message = await services.GetRequiredService<Messages.EditionMessages>().BuildAsync(chosen, delivery);
            var content = parse.GetValue(eml) ? message.ToString() : parse.GetValue(text) ? message.TextBody : message.HtmlBody;
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file, content, stopping);
                await context.Error.WriteLineAsync($"Preview of edition {chosen.Number} for {reader.Email} written to {file}. Subject: {message.Subject}");
            }
            else if (chromium is null)
            {
                await context.Output.WriteAsync(content);
            }
            if (chromium is not null && parse.GetValue(png) is { } image)
            {
                var page = Path.Combine(Directory.CreateTempSubdirectory("digest-preview-").FullName, "preview.html");
                try
                {
                    await File.WriteAllTextAsync(page, message.HtmlBody, stopping);
                    var layout = await chromium.ScreenshotAsync(page, image, parse.GetValue(width), ColorScheme.Light, stopping);
                    await context.Error.WriteLineAsync($"Screenshot of edition {chosen.Number} for {reader.Email} at {parse.GetValue(width)}px written to {image} ({layout.ScrollHeight}px tall)."
                                                       + (layout.Overflows ? $" Warning: the page is {layout.ScrollWidth}px wide and scrolls sideways." : ""));
                }
                catch (ChromiumException e)
                {
                    await context.Error.WriteLineAsync($"preview --png: {e.Message}");
                    return ExitCodes.Unexpected;
                }
                finally
                {
                    Directory.Delete(Path.GetDirectoryName(page)!, recursive: true);
                }
            }
            return ExitCodes.Done;
        }));
        return command;
    }

    /// <summary>The stored edition <paramref name="number"/>, else the one the next send would deliver.</summary>
    internal static Edition? Choose(IServiceProvider services, int? number)
    {
        var editions = services.GetRequiredService<IEditionStore>();
        if (number is { } n)
            return editions.Find(n) ?? throw new InvalidInputException(new InputError("--edition", 0, "", $"there is no edition {n}"));
        var next = services.GetRequiredService<NextEdition>();
        next.ImportFolder();
        return next.ResumeOrDraft();
    }

    /// <summary>The reader <paramref name="email"/>, else the first in the subscriber file.</summary>
    internal static Subscriber Reader(IServiceProvider services, string? email)
    {
        var source = services.GetRequiredService<SubscriberSource>();
        var list = source.Current();
        if (email is null)
            return list.FirstOrDefault() ?? throw new InvalidInputException(new InputError(source.Path, 0, "", "lists no subscribers to preview for; use --subscriber"));
        return list.FirstOrDefault(s => s.Email.Equals(email, StringComparison.OrdinalIgnoreCase))
               ?? throw new InvalidInputException(new InputError(source.Path, 0, "", $"{email} is not in the subscriber file"));
    }
}
