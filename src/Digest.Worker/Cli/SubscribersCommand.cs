using System.CommandLine;
using Digest.Subscribers;

namespace Digest.Worker.Cli;

/// <summary>
/// `digest subscribers [--export FILE]`: everyone on the list as CSV, the admin's file first, then the readers who
/// signed up and confirmed; a reader in both is listed once, as the file's. Suppressions are listed by `suppressions`.
/// </summary>
public static class SubscribersCommand
{
    public const string Header = "email,name,categories,source";

    public static Command Create(CliContext context)
    {
        var export = new Option<string?>("--export") { Description = "Write the list as CSV to this file." };
        var command = new Command("subscribers", "List the readers of the subscriber file and those who signed up, as CSV.") { export };
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var source = services.GetRequiredService<SubscriberSource>();
            var file = source.InFile();
            var signedUp = source.SignedUpBesides(file);
            var lines = file.Select(s => Line(s, "file")).Concat(signedUp.Select(s => Line(s, "signup"))).Prepend(Header);
            if (parse.GetValue(export) is { } path)
            {
                // Addresses: the owner's only, as the store is.
                await using (var writer = new StreamWriter(Storage.PrivateFiles.OpenWrite(path)))
                    foreach (var line in lines) await writer.WriteLineAsync(line);
                await context.Output.WriteLineAsync(
                    $"{file.Count + signedUp.Count} subscribers ({file.Count} from the file, {signedUp.Count} signed up) written to {path}");
            }
            else
            {
                foreach (var line in lines) await context.Output.WriteLineAsync(line);
            }
            return ExitCodes.Done;
        }, readOnlyStore: true));
        return command;
    }

    /// <summary>One CSV row; categories separated by ';', as the CSV subscriber import reads them.</summary>
    private static string Line(Subscriber s, string source) =>
        string.Join(',', Field(s.Email), Field(s.Name ?? ""), Field(string.Join(';', s.Categories)), source);

    /// <summary>RFC 4180 quoting, and a leading formula character defused so a spreadsheet shows a name rather than running it.</summary>
    private static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@') value = "'" + value;
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
