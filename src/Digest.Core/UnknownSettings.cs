using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace Digest;

/// <summary>
/// Refuses a key under <c>Digest</c> that no setting reads. The binder ignores unknown keys, so a typo such as
/// <c>Digest__Smtp__Hots</c> would otherwise send the edition to the outbox, record it as sent, and leave
/// nothing to resend. The message names the key, where it was set, and the closest real one.
/// </summary>
public sealed class UnknownSettings(IConfiguration configuration) : IValidateOptions<DigestOptions>
{
    /// <summary>Keys read straight from configuration rather than bound to <see cref="DigestOptions"/>.</summary>
    private static readonly string[] ReadDirectly = ["Digest:LogFormat", "Digest:Preview:Chromium"];

    /// <summary>Areas whose options class is bound from its own section, beside <see cref="DigestOptions"/>.</summary>
    private static readonly (Type Options, string Section)[] OwnSections = [(typeof(Subscribers.SignupOptions), Subscribers.SignupOptions.Section)];

    private static readonly IReadOnlyList<string> Known =
        [.. KnownKeys(typeof(DigestOptions), DigestOptions.Section), .. OwnSections.SelectMany(s => KnownKeys(s.Options, s.Section)), .. ReadDirectly];

    public ValidateOptionsResult Validate(string? name, DigestOptions options)
    {
        var errors = new List<string>();
        foreach (var (key, value) in configuration.GetSection(DigestOptions.Section).AsEnumerable())
        {
            var pattern = Pattern(key);
            if (Known.Contains(pattern, StringComparer.OrdinalIgnoreCase)) continue;
            // A section (an object, or an empty list) shows up as a key of its own with no value.
            if (string.IsNullOrEmpty(value) && Known.Any(k => k.StartsWith(pattern + ":", StringComparison.OrdinalIgnoreCase))) continue;
            var closest = Closest(pattern) is { } known ? WithIndexesOf(key, known) : null;
            errors.Add($"{key} is not a Digest setting (set {SourceOf(key)}){(closest is null ? "; see the configuration table in README.md" : $"; did you mean {closest}?")}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Every key the binder fills, with <c>*</c> for a list index (<c>Digest:Relays:*:Host</c>).</summary>
    public static IEnumerable<string> KnownKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetSetMethod() is not null))
        {
            var key = $"{prefix}:{property.Name}";
            var t = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsLeaf(t))
                yield return key;
            else if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(List<>))
            {
                var element = t.GetGenericArguments()[0];
                if (IsLeaf(element)) yield return $"{key}:*";
                else foreach (var child in KnownKeys(element, $"{key}:*")) yield return child;
            }
            else
                foreach (var child in KnownKeys(t, key)) yield return child;
        }
    }

    private static bool IsLeaf(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan) || t == typeof(DateTime) || t == typeof(Uri);

    /// <summary>The key with list indexes as <c>*</c>, so <c>Digest:Relays:0:Host</c> is checked as <c>Digest:Relays:*:Host</c>.</summary>
    private static string Pattern(string key) =>
        string.Join(':', key.Split(':').Select(part => part.Length > 0 && part.All(char.IsAsciiDigit) ? "*" : part));

    private static string? Closest(string pattern)
    {
        var (best, distance) = Known.Select(k => (Key: k, Distance: Distance(pattern.ToLowerInvariant(), k.ToLowerInvariant())))
            .MinBy(x => x.Distance);
        // A suggestion that shares little with what was typed helps nobody.
        return distance <= Math.Max(2, pattern.Length / 3) ? best : null;
    }

    /// <summary>The suggestion with the list indexes the admin typed, not <c>*</c>.</summary>
    private static string WithIndexesOf(string typed, string known)
    {
        var typedParts = typed.Split(':');
        var knownParts = known.Split(':');
        return string.Join(':', knownParts.Select((part, i) => part == "*" && i < typedParts.Length ? typedParts[i] : part));
    }

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    /// <summary>Which source set the key: the last provider that has it wins, as in the binder.</summary>
    private string SourceOf(string key)
    {
        if (configuration is not IConfigurationRoot root) return "in the configuration";
        foreach (var provider in root.Providers.Reverse())
        {
            if (!provider.TryGet(key, out _)) continue;
            return provider switch
            {
                JsonConfigurationProvider json => $"in {json.Source.FileProvider?.GetFileInfo(json.Source.Path ?? "").PhysicalPath ?? json.Source.Path}",
                EnvironmentVariablesConfigurationProvider => $"by the environment variable {key.Replace(":", "__")}",
                _ => "in the settings",
            };
        }
        return "in the configuration";
    }
}
