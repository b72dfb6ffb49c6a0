namespace Digest.Storage;

/// <summary>The store file could not be opened: missing permissions, or not a store file, or damaged.</summary>
public sealed class StoreUnavailableException(string path, Exception inner, string? hint = null)
    : Exception($"The store {path} cannot be opened: {inner.Message} ({hint ?? "is it a Digest database? Restore it from a backup or point Digest:Store:Path elsewhere; the file was not changed"}.)", inner)
{
    public string StorePath { get; } = path;
}


/// <summary>The store file is damaged: Digest refuses it rather than read it as empty or repair it in place.</summary>
public sealed class StoreDamagedException(string path, string reason, Exception? inner = null)
    : Exception($"The store {path} is damaged ({reason}). Digest does not read it as empty or repair it, and did not change it. "
                + $"Stop any running worker, then restore your last backup copy of the file to {path} (README, \"Backup and restore\"); "
                + "or move the file aside to start an empty store, which forgets every edition, delivery and suppression.", inner)
{
    public string StorePath { get; } = path;
}

/// <summary>The store was written by a newer Digest, whose layout this build does not know.</summary>
public sealed class StoreTooNewException(string path, int version, int known)
    : Exception($"The store {path} has schema version {version}, written by a newer Digest; this Digest knows up to version {known}: "
                + "upgrade Digest or restore a backup made by this version (README, \"Backup and restore\"). The file was not changed.")
{
    public string StorePath { get; } = path;
}
