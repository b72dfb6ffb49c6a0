namespace Digest.Input;

/// <summary>One thing wrong with a file an admin wrote, located so it can be found and fixed.</summary>
/// <param name="File">The file as the admin named it.</param>
/// <param name="Line">1-based line, or 0 when unknown.</param>
/// <param name="Item">Where in the document: <c>[2].tools[0].panelShip</c>, <c>subscribers[4].email</c>.</param>
/// <param name="Message">What is wrong, with the bad value where there is one.</param>
public sealed record InputError(string File, int Line, string Item, string Message)
{
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}" : File;
        return Item.Length > 0 ? $"{where}: {Item}: {Message}" : $"{where}: {Message}";
    }
}

/// <summary>A file was refused whole; nothing from it was used.</summary>
public sealed class InvalidInputException(IReadOnlyList<InputError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<InputError> Errors { get; } = errors;

    public InvalidInputException(InputError error) : this([error]) { }
}
