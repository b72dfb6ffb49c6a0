using Digest.Storage.PostgreSql;

namespace Digest.Validation;

public sealed class StoreOptionsValidator : SectionValidator<StoreOptions>
{
    protected override IEnumerable<(string, StoreOptions)> Sections(DigestOptions o) => [("Digest:Store", o.Store)];

    protected override void Check(string key, StoreOptions store, List<string> errors)
    {
        if (!Enum.IsDefined(store.Provider))
            errors.Add($"{key}:Provider must be LiteDb or PostgreSql, was \"{store.Provider}\".");
        if (store.Provider != StoreProvider.PostgreSql)
        {
            Require($"{key}:Path", store.Path, errors);
            return;
        }
        if (string.IsNullOrWhiteSpace(store.ConnectionString))
            errors.Add($"{key}:ConnectionString must be set when {key}:Provider is PostgreSql.");
        // The value is shown masked: a connection string may carry the password.
        else if (PostgreSqlConnection.Problem(store.ConnectionString) is { } problem)
            errors.Add($"{key}:ConnectionString is not a valid PostgreSQL connection string ({problem}), was \"{PostgreSqlConnection.Masked(store.ConnectionString)}\".");
        if (store.PasswordFile is { Length: > 0 } file && !File.Exists(file))
            errors.Add($"{key}:PasswordFile names a file that does not exist, was \"{file}\".");
    }
}
