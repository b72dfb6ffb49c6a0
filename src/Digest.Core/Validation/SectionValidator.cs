using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Digest.Validation;

/// <summary>
/// The rules of one options class, as Quartz keeps one small validator per options type. It validates that class
/// on its own (the options name is the configuration key of its section, e.g. <c>Digest:Smtp</c>), and, registered
/// for <see cref="DigestOptions"/> (through <see cref="DigestSections{TValidator, T}"/>), every section of that class in
/// Digest's settings, so each message names the full key and the bad value.
/// </summary>
public abstract class SectionValidator<T> : IValidateOptions<T> where T : class
{
    /// <summary>The sections of this class in Digest's settings, with their keys (most classes have one).</summary>
    protected abstract IEnumerable<(string Key, T Options)> Sections(DigestOptions options);

    /// <summary>Adds a message for each broken rule, naming <paramref name="key"/>:Setting and the bad value.</summary>
    protected abstract void Check(string key, T options, List<string> errors);

    public ValidateOptionsResult Validate(string? name, T options)
    {
        var errors = new List<string>();
        Check(string.IsNullOrEmpty(name) ? typeof(T).Name : name, options, errors);
        return Result(errors);
    }

    /// <summary>Every section of this class in Digest's settings.</summary>
    public ValidateOptionsResult ValidateSections(DigestOptions options)
    {
        var errors = new List<string>();
        foreach (var (key, section) in Sections(options)) Check(key, section, errors);
        return Result(errors);
    }

    protected static void Require(string key, string? value, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value)) errors.Add($"{key} must be set.");
    }

    /// <summary>
    /// The upper bound of a duration. A TimeSpan that binds can still be absurd: timers, Polly and cancellation refuse
    /// delays beyond about 24 days, so 99,999 days passed start-up and crashed every run. The bounds are generous.
    /// </summary>
    protected static void AtMost(string key, TimeSpan value, TimeSpan max, List<string> errors)
    {
        if (value > max) errors.Add($"{key} must be at most {max}, was {value}.");
    }

    protected static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && MimeKit.MailboxAddress.TryParse(value, out var m) && m.Address.Contains('@') && m.Domain.Length > 0;

    private static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}

/// <summary>Plugs one options class's validator into the validation of <see cref="DigestOptions"/>, which every command runs at start-up.</summary>
public sealed class DigestSections<TValidator, T>(TValidator validator) : IValidateOptions<DigestOptions>
    where TValidator : SectionValidator<T> where T : class
{
    public ValidateOptionsResult Validate(string? name, DigestOptions options) => validator.ValidateSections(options);
}

/// <summary>Registration of the validators, one per options class, from each area's extension method.</summary>
public static class ValidationServiceCollectionExtensions
{
    /// <summary>Adds <typeparamref name="TValidator"/> once, however often its area is registered (the store is, twice for read-only commands).</summary>
    public static IServiceCollection AddSettingsValidator<TValidator, T>(this IServiceCollection services)
        where TValidator : SectionValidator<T> where T : class
    {
        services.TryAddSingleton<TValidator>();
        services.TryAddSingleton<IValidateOptions<T>>(sp => sp.GetRequiredService<TValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DigestOptions>, DigestSections<TValidator, T>>());
        return services;
    }
}
