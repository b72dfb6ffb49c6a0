using Digest.Worker.Preview;

namespace Digest.Tests.Support;

/// <summary>A test that needs a real browser: skipped, with what to install, where Chromium is absent (xunit 2 has no dynamic skip).</summary>
public sealed class RequiresChromiumFactAttribute : FactAttribute
{
    public RequiresChromiumFactAttribute()
    {
        if (HeadlessChromium.Find() is null) Skip = $"{HeadlessChromium.Missing}: browser rendering checks skipped";
    }
}
