namespace Digest.Storage;

/// <summary>Tells a store that cannot be read or written (full disk, damaged file, database gone) from a bug, whatever the store.</summary>
public static class StoreFailure
{
    /// <summary>The store failed: the caller reports it and carries on or stops, as for a full disk.</summary>
    public static bool Is(Exception e) => e is LiteDB.LiteException or IOException or System.Data.Common.DbException;

    /// <summary>A damaged page met after the store was checked on opening.</summary>
    public static bool IsDamaged(Exception e) => e is LiteDB.LiteException { ErrorCode: LiteDB.LiteException.INVALID_DATAFILE_STATE };
}
