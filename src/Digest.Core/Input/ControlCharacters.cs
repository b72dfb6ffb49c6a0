using System.Text;

namespace Digest.Input;

/// <summary>
/// Removes control characters from text an admin supplied, before it is stored: NUL, ESC, BEL and the like
/// have no business in a mail, and in the 8bit text part a terminal or a mail client would act on them. Tabs
/// and line breaks stay; a CR LF or a lone CR becomes LF, which MimeKit writes as CRLF on the wire.
/// </summary>
public static class ControlCharacters
{
    public static string Strip(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\0', '\u001F') && !text.AsSpan().ContainsAnyInRange('\u007F', '\u009F')) return text;
        var clean = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\r')
            {
                clean.Append('\n');
                if (i + 1 < text.Length && text[i + 1] == '\n') i++;
            }
            else if (c is '\t' or '\n' || !char.IsControl(c))
                clean.Append(c);
        }
        return clean.ToString();
    }
}
