using System.Text;
using Fluid;
using Fluid.Values;

namespace Digest.Rendering;

/// <summary>Filters for the plain-text part. Liquid has no word wrap, so <c>wrap</c> is written here.</summary>
public static class TextFilters
{
    public static void Register(FilterCollection filters) => filters.AddFilter("wrap", Wrap);

    /// <summary><c>{{ text | wrap: 72, '  > ' }}</c>: wraps at word boundaries so no line (prefix included) passes the width.</summary>
    public static ValueTask<FluidValue> Wrap(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        var width = arguments.At(0).IsNil() ? 72 : (int)arguments.At(0).ToNumberValue();
        var prefix = arguments.At(1).IsNil() ? "" : arguments.At(1).ToStringValue();
        return new StringValue(WrapText(input.ToStringValue(), width, prefix));
    }

    public static string WrapText(string text, int width, string prefix = "")
    {
        var room = Math.Max(20, width - prefix.Length);
        var output = new StringBuilder(text.Length + text.Length / room * (prefix.Length + 1) + prefix.Length);
        foreach (var paragraph in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = new StringBuilder();
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > room)
                {
                    output.Append(prefix).Append(line).Append('\n');
                    line.Clear();
                }
                if (line.Length > 0) line.Append(' ');
                line.Append(word);
            }
            output.Append(prefix).Append(line).Append('\n');
        }
        return output.ToString().TrimEnd('\n');
    }
}
