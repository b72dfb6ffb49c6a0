using System.CommandLine;
using Digest.Comparisons;
using Digest.Input;

namespace Digest.Worker.Cli;

/// <summary>`digest import FILE...`: validate comparison files and upsert them by slug.</summary>
public static class ImportCommand
{
    public static Command Create(CliContext context)
    {
        var files = new Argument<string[]>("files") { Description = "JSON files: one comparison object or an array per file.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("import", "Import comparisons from JSON files; an invalid file is refused whole.") { files };
        command.SetAction((parse, _) => context.ExecuteAsync(parse, templates: false, async (services, _) =>
        {
            var importer = services.GetRequiredService<ComparisonImporter>();
            var refused = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                try
                {
                    var imported = importer.ImportFile(file);
                    await context.Output.WriteLineAsync($"{file}: imported {imported.Count} comparisons ({string.Join(", ", imported.Select(c => c.Slug))})");
                }
                catch (InvalidInputException e)
                {
                    refused++;
                    await context.Error.WriteLineAsync($"{file}: refused, nothing from it was stored:");
                    foreach (var error in e.Errors) await context.Error.WriteLineAsync($"  {error}");
                }
            }
            return refused == 0 ? ExitCodes.Done : ExitCodes.BadInput;
        }));
        return command;
    }
}
