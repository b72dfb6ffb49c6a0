using System.Text;
using Fluid;
using Fluid.Values;

namespace Digest.Rendering;

/// <summary>Filters for the plain-text part. Liquid has no word wrap, so <c>wrap</c> is written here.</summary>
public static class TextFilters
{
    public static void Register(FilterCollection filters) => filters.AddFilter("wrap", Wrap);

    /// <summary>
    /// <c>{{ text | wrap: 72, '  > ' }}</c>: wraps at word boundaries so no line (prefix included) passes the
    /// width. A third argument indents the continuation lines differently (a hanging indent for list items):
    /// <c>{{ item | wrap: 72, '', '  ' }}</c>.
    /// </summary>
    public static ValueTask<FluidValue> Wrap(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        var width = arguments.At(0).IsNil() ? 72 : (int)arguments.At(0).ToNumberValue();
        var prefix = arguments.At(1).IsNil() ? "" : arguments.At(1).ToStringValue();
        var continuation = arguments.At(2).IsNil() ? null : arguments.At(2).ToStringValue();
        return new StringValue(WrapText(input.ToStringValue(), width, prefix, continuation));
    }

    public static string WrapText(string text, int width, string prefix = "", string? continuation = null)
    {
        continuation ??= prefix;
        var output = new StringBuilder(text.Length + text.Length / Math.Max(20, width) * (continuation.Length + 1) + prefix.Length);
        foreach (var paragraph in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = new StringBuilder();
            var lead = prefix;
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > Math.Max(20, width - lead.Length))
                {
                    output.Append(lead).Append(line).Append('\n');
                    line.Clear();
                    lead = continuation;
                }
                if (line.Length > 0) line.Append(' ');
                line.Append(word);
            }
            output.Append(lead).Append(line).Append('\n');
        }
        return output.ToString().TrimEnd('\n');
    }
}
