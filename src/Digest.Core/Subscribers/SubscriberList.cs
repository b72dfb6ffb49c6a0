using System.Collections;
using System.Runtime.InteropServices;
using System.Text;

namespace Digest.Subscribers;

/// <summary>
/// The subscriber file's readers as the file readers found them, held compactly while an edition is planned from
/// them: a million readers held as records (a record, an address and a name each, and the dictionary that found
/// duplicates) took about 190 MB. Here each reader is one record of UTF-8 bytes in shared blocks, with time zones,
/// category sets and the domains of addresses stored once for the whole list, and a <see cref="Subscriber"/> is made
/// when one is asked for. Addresses are found ignoring case, as the file's duplicate check compares them.
/// Hand-written: no package served here keeps strings packed with a case-insensitive index over them.
/// Filled by <see cref="SubscriberFile"/> and <see cref="SubscriberCsv"/>; not changed once read, so it may be read
/// from several threads.
/// </summary>
public sealed class SubscriberList : IReadOnlyList<Subscriber>
{
    // Below the large object heap's threshold: blocks are collected young if a read fails half-way.
    private const int BlockSize = 64 * 1024;
    private readonly List<byte[]> _blocks = [];
    private int _used = BlockSize;
    // A record's block in the high 16 bits and its start in the low 16: a start is below the block size, and a block
    // made larger for one long record holds only that record, at 0. 4 bytes a reader instead of 8.
    private readonly List<uint> _records = [];
    private readonly List<string> _zones = [];
    private readonly Dictionary<string, int> _zoneIds = new(StringComparer.Ordinal);
    // An address's domain ("@example.com") is stored once and named in its record by number: most readers of a
    // large list share a few domains. A list whose domains are nearly all different stops adding them at MaxDomains,
    // and later addresses keep their domain in their record, so the table never costs more than it saves.
    private const int MaxDomains = 1 << 16;
    private readonly List<(string Name, byte[] Utf8)> _domains = [];
    private readonly Dictionary<string, int> _domainIds = new(StringComparer.Ordinal);
    private readonly List<IReadOnlyList<string>> _categorySets = [[]];
    private readonly Dictionary<string, int> _categorySetIds = new(StringComparer.Ordinal) { [""] = 0 };
    // While the list is read: the readers by address, to find duplicates as they come, and where each was listed.
    // Once it is read (Seal), both give way to the readers' positions in address order, a quarter of their size
    // (at a million readers 4 MB against 26 MB), which serves look-ups by binary search and the plan's order.
    private HashSet<int>? _byAddress;
    private List<int>? _places = [];
    private int[]? _order;

    public SubscriberList() => _byAddress = new HashSet<int>(new AddressComparer(this));

    public int Count => _records.Count;

    public Subscriber this[int index]
    {
        get
        {
            var record = Record(index);
            var local = ReadString(ref record)!;
            var domain = ReadNumber(ref record);
            var email = domain == 0 ? local : local + _domains[domain - 1].Name;
            var name = ReadString(ref record);
            var zone = ReadNumber(ref record);
            var categories = _categorySets[ReadNumber(ref record)];
            return new Subscriber(email, name, categories, zone == 0 ? null : _zones[zone - 1]);
        }
    }

    /// <summary>
    /// The readers in address order (as <see cref="StringComparison.OrdinalIgnoreCase"/> orders them), read in
    /// place. An edition is planned in this order so that the store's address index is written at one moving point
    /// rather than all over: in a file in no particular order, a million readers' plan otherwise pages most of that
    /// index through the store's cache (docs/benchmarks.md). Sorted once the list is read (<see cref="Seal"/>), over
    /// the packed records, since strings for every address would cost what packing them saved.
    /// </summary>
    public IReadOnlyList<Subscriber> InAddressOrder() => new Reordered(this, Order);

    /// <summary>Whether the list has this address, ignoring case (a binary search in address order).</summary>
    public bool Contains(string address)
    {
        var order = Order;
        var length = Encoding.UTF8.GetByteCount(address);
        Span<byte> utf8 = length <= AddressComparer.OnStack ? stackalloc byte[AddressComparer.OnStack] : new byte[length];
        utf8 = utf8[..Encoding.UTF8.GetBytes(address, utf8)];
        Span<byte> scratch = stackalloc byte[AddressComparer.OnStack];
        int low = 0, high = order.Length - 1;
        while (low <= high)
        {
            var middle = low + (high - low) / 2;
            var c = AddressOrder.Compare(EmailUtf8(order[middle], scratch), utf8);
            if (c == 0) return true;
            if (c < 0) low = middle + 1;
            else high = middle - 1;
        }
        return false;
    }

    /// <summary>
    /// While the list is read: the place (<see cref="EntryPlace.Index"/>) of the entry that listed this address,
    /// ignoring case; null when none did.
    /// </summary>
    internal int? PlaceOf(string address) =>
        _byAddress is null || _places is null ? throw new InvalidOperationException("The list is read; places are known only while it is read.")
        : _byAddress.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(address, out var index) ? _places[index] : null;

    /// <summary>
    /// Ends the reading: the readers are put in address order, and what only reading needed is let go. Called by
    /// the file readers once a list has no errors; the list is not changed after it.
    /// </summary>
    internal SubscriberList Seal()
    {
        var order = new int[Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, new AddressOrder(this));
        _order = order;
        _byAddress = null;
        _places = null;
        return this;
    }

    private int[] Order => _order ?? throw new InvalidOperationException("The list is still being read.");

    /// <summary>Adds a reader already validated and not yet listed (<see cref="PlaceOf"/> is null); <paramref name="place"/> is where the file lists them.</summary>
    internal void Add(string email, string? name, IReadOnlyList<string> categories, string? timeZone, int place)
    {
        if (_byAddress is null || _places is null) throw new InvalidOperationException("The list is read and may no longer change.");
        var zone = timeZone is null ? 0 : Intern(timeZone, _zones, _zoneIds, z => z) + 1;
        // Each name prefixed with its length: no two different sets make the same key, whatever their names hold.
        var set = categories.Count == 0 ? 0 : Intern(string.Concat(categories.Select(c => $"{c.Length}:{c}")), _categorySets, _categorySetIds, _ => categories.ToArray());
        var at = email.LastIndexOf('@');
        var domain = at < 0 ? 0 : DomainId(email[at..]);
        var local = domain == 0 ? email : email[..at];
        var localLength = Encoding.UTF8.GetByteCount(local);
        var nameLength = name is null ? -1 : Encoding.UTF8.GetByteCount(name);
        // Five numbers of at most five bytes each.
        var size = localLength + Math.Max(nameLength, 0) + 25;
        if (_used + size > BlockSize)
        {
            if (_blocks.Count > ushort.MaxValue) throw new InvalidOperationException($"A subscriber list holds at most {(ushort.MaxValue + 1L) * BlockSize / (1L << 30)} GB of addresses and names.");
            _blocks.Add(new byte[Math.Max(BlockSize, size)]);
            _used = 0;
        }
        var block = _blocks[^1];
        var start = _used;
        var end = start;
        WriteString(block, ref end, local, localLength);
        WriteNumber(block, ref end, domain);
        WriteString(block, ref end, name, nameLength);
        WriteNumber(block, ref end, zone);
        WriteNumber(block, ref end, set);
        _used = end;
        _records.Add(((uint)(_blocks.Count - 1) << 16) | (uint)start);
        _places.Add(place);
        _byAddress.Add(_records.Count - 1);
    }

    public IEnumerator<Subscriber> GetEnumerator()
    {
        for (var i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The domain's number in its readers' records (from 1), or 0 when it is kept in the record itself.</summary>
    private int DomainId(string domain)
    {
        if (_domains.Count >= MaxDomains) return _domainIds.TryGetValue(domain, out var id) ? id + 1 : 0;
        return Intern(domain, _domains, _domainIds, d => (d, Encoding.UTF8.GetBytes(d))) + 1;
    }

    private static int Intern<T>(string key, List<T> values, Dictionary<string, int> ids, Func<string, T> make)
    {
        ref var id = ref CollectionsMarshal.GetValueRefOrAddDefault(ids, key, out var exists);
        if (!exists)
        {
            id = values.Count;
            values.Add(make(key));
        }
        return id;
    }

    private ReadOnlySpan<byte> Record(int index)
    {
        var record = _records[index];
        return _blocks[(int)(record >> 16)].AsSpan((int)(record & 0xFFFF));
    }

    /// <summary>The address's UTF-16 characters, written into <paramref name="chars"/>, which must hold as many as its UTF-8 bytes.</summary>
    private static ReadOnlySpan<char> Chars(ReadOnlySpan<byte> utf8, Span<char> chars) => chars[..Encoding.UTF8.GetChars(utf8, chars)];

    /// <summary>
    /// The address's UTF-8 bytes: in place when its record holds all of it, else put together in
    /// <paramref name="scratch"/> (or a new array, for an address longer than it).
    /// </summary>
    private ReadOnlySpan<byte> EmailUtf8(int index, Span<byte> scratch)
    {
        var record = Record(index);
        var length = ReadNumber(ref record) - 1;
        var local = record[..length];
        record = record[length..];
        var domain = ReadNumber(ref record);
        if (domain == 0) return local;
        var rest = _domains[domain - 1].Utf8;
        var whole = local.Length + rest.Length <= scratch.Length ? scratch : new byte[local.Length + rest.Length];
        local.CopyTo(whole);
        rest.CopyTo(whole[local.Length..]);
        return whole[..(local.Length + rest.Length)];
    }

    // A string is its UTF-8 length plus one (0 for null) as a 7-bit number, then its bytes; null has length -1.
    private static void WriteString(byte[] block, ref int at, string? value, int length)
    {
        WriteNumber(block, ref at, length + 1);
        if (value is not null) at += Encoding.UTF8.GetBytes(value, block.AsSpan(at));
    }

    private static string? ReadString(ref ReadOnlySpan<byte> record)
    {
        var length = ReadNumber(ref record) - 1;
        if (length < 0) return null;
        var value = Encoding.UTF8.GetString(record[..length]);
        record = record[length..];
        return value;
    }

    private static void WriteNumber(byte[] block, ref int at, int value)
    {
        var v = (uint)value;
        for (; v >= 0x80; v >>= 7) block[at++] = (byte)(v | 0x80);
        block[at++] = (byte)v;
    }

    private static int ReadNumber(ref ReadOnlySpan<byte> record)
    {
        var value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = record[0];
            record = record[1..];
            value |= (b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    /// <summary>Compares the readers at two positions, or an address with a reader, by address ignoring case.</summary>
    private sealed class AddressComparer(SubscriberList list) : IEqualityComparer<int>, IAlternateEqualityComparer<ReadOnlySpan<char>, int>
    {
        public const int OnStack = 256;

        public bool Equals(int x, int y)
        {
            Span<byte> scratch = stackalloc byte[OnStack];
            var utf8 = list.EmailUtf8(x, scratch);
            Span<char> chars = utf8.Length <= OnStack ? stackalloc char[OnStack] : new char[utf8.Length];
            return Equals(Chars(utf8, chars), y);
        }

        public int GetHashCode(int index)
        {
            Span<byte> scratch = stackalloc byte[OnStack];
            var utf8 = list.EmailUtf8(index, scratch);
            Span<char> chars = utf8.Length <= OnStack ? stackalloc char[OnStack] : new char[utf8.Length];
            return GetHashCode(Chars(utf8, chars));
        }

        public bool Equals(ReadOnlySpan<char> address, int other)
        {
            Span<byte> scratch = stackalloc byte[OnStack];
            var utf8 = list.EmailUtf8(other, scratch);
            Span<char> chars = utf8.Length <= OnStack ? stackalloc char[OnStack] : new char[utf8.Length];
            return address.Equals(Chars(utf8, chars), StringComparison.OrdinalIgnoreCase);
        }

        public int GetHashCode(ReadOnlySpan<char> address) => string.GetHashCode(address, StringComparison.OrdinalIgnoreCase);

        public int Create(ReadOnlySpan<char> address) =>
            throw new NotSupportedException("Readers are added with SubscriberList.Add, not through a look-up.");
    }

    /// <summary>
    /// Addresses in the order of <see cref="string.Compare(string, string, StringComparison)"/> with
    /// <see cref="StringComparison.OrdinalIgnoreCase"/>, so that two compare equal exactly when the duplicate check
    /// calls them the same: ASCII compared in place, upper-cased as that comparison does, and the rest, from the first
    /// character beyond ASCII, decoded and left to it.
    /// </summary>
    private sealed class AddressOrder(SubscriberList list) : IComparer<int>
    {
        // The sort compares on one thread: two buffers for addresses put together, kept for all its comparisons.
        private readonly byte[] _x = new byte[AddressComparer.OnStack];
        private readonly byte[] _y = new byte[AddressComparer.OnStack];

        public int Compare(int x, int y) => Compare(list.EmailUtf8(x, _x), list.EmailUtf8(y, _y));

        public static int Compare(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
        {
            var i = a.CommonPrefixLength(b);
            for (; i < a.Length && i < b.Length; i++)
            {
                int ca = a[i], cb = b[i];
                if ((ca | cb) >= 0x80) return CompareBeyondAscii(a, b, i);
                if ((uint)(ca - 'a') <= 'z' - 'a') ca &= ~0x20;
                if ((uint)(cb - 'a') <= 'z' - 'a') cb &= ~0x20;
                if (ca != cb) return ca - cb;
            }
            return a.Length - b.Length;
        }

        private static int CompareBeyondAscii(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int at)
        {
            // Back to the start of the character: the bytes before `at` are the same in both, so it starts there in both.
            while (at > 0 && (a[at] & 0xC0) == 0x80) at--;
            a = a[at..];
            b = b[at..];
            Span<char> ac = a.Length <= AddressComparer.OnStack ? stackalloc char[AddressComparer.OnStack] : new char[a.Length];
            Span<char> bc = b.Length <= AddressComparer.OnStack ? stackalloc char[AddressComparer.OnStack] : new char[b.Length];
            return MemoryExtensions.CompareTo(Chars(a, ac), Chars(b, bc), StringComparison.OrdinalIgnoreCase);
        }
    }

    private sealed class Reordered(SubscriberList list, int[] order) : IReadOnlyList<Subscriber>
    {
        public int Count => order.Length;

        public Subscriber this[int index] => list[order[index]];

        public IEnumerator<Subscriber> GetEnumerator()
        {
            for (var i = 0; i < order.Length; i++) yield return list[order[i]];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
