using System.IO.Compression;

namespace Digest.Subscribers;

/// <summary>
/// The last good file's bytes, compressed as the file is read. A worker holds them for as long as it runs, and the
/// list read from them only while an edition is planned: for a million readers 2.5 MB (subscriber-load's 61 MB
/// file) rather than the 68 MB of the list.
/// </summary>
internal sealed class LastGoodList(string file, byte[] compressed, int count)
{
    public int Count => count;

    /// <summary>Bytes held.</summary>
    public int Size => compressed.Length;

    /// <summary>The readers in the file, and the file kept as the last good list; throws as <see cref="SubscriberFile.Load"/> does.</summary>
    public static (SubscriberList List, LastGoodList Kept) Load(string file)
    {
        using var packed = new MemoryStream();
        SubscriberList list;
        using (var zip = new BrotliStream(packed, CompressionLevel.Fastest, leaveOpen: true)) list = SubscriberFile.Load(file, zip);
        return (list, new LastGoodList(file, packed.ToArray(), list.Count));
    }

    /// <summary>The list again: the bytes were read once as good, so they read the same way now.</summary>
    public SubscriberList Read()
    {
        using var zip = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
        return SubscriberFile.Parse(file, zip);
    }
}
