using BenchmarkDotNet.Attributes;
using Digest.Rendering;
using MimeKit;

namespace Digest.Benchmarks;

/// <summary>
/// The per-reader work of an edition, split so a regression can be located: rendering (subject, HTML and
/// text), building the MIME message, and writing it as the SMTP client would. "Render: full Liquid" is the
/// path a reader takes only when the templates cannot be filled slot by slot; it is kept as the reference.
/// </summary>
[MemoryDiagnoser]
public class PersonalMessageBenchmarks
{
    // SMTP puts CRLF on the wire; writing with the platform's LF would measure a different encoder path.
    private static readonly FormatOptions Wire = CreateWireFormat();
    private SampleEdition _sample = null!;
    private PersonalMessage _rendered = null!;
    private MimeMessage _message = null!;

    [GlobalSetup]
    public async Task SetUp()
    {
        _sample = new SampleEdition();
        _rendered = await _sample.Rendering.RenderAsync(_sample.Reader, []);
        _message = _sample.Builder.Build(_sample.Number, _sample.Delivery, _rendered);
    }

    [Benchmark(Description = "Render: one personal message (subject + HTML + text)")]
    public ValueTask<PersonalMessage> Render() => _sample.Rendering.RenderAsync(_sample.Reader, []);

    [Benchmark(Description = "Render: full Liquid per reader (the fallback)")]
    public ValueTask<RenderedMessage> RenderFull() => _sample.Renderer.RenderAsync(_sample.View, _sample.Reader);

    [Benchmark(Description = "Reader view: greeting + unsubscribe token")]
    public ReaderView Reader() => _sample.Builder.Reader(_sample.Delivery.Email, _sample.Delivery.Name);

    [Benchmark(Description = "MIME: Build + write to a null stream")]
    public void BuildAndWrite() => _sample.Builder.Build(_sample.Number, _sample.Delivery, _rendered).WriteTo(Wire, Stream.Null);

    [Benchmark(Description = "MIME: write a built message")]
    public void Write() => _message.WriteTo(Wire, Stream.Null);

    [Benchmark(Description = "Whole message: reader + render + build + write")]
    public async Task WholeMessage()
    {
        var reader = _sample.Builder.Reader(_sample.Delivery.Email, _sample.Delivery.Name);
        var rendered = await _sample.Rendering.RenderAsync(reader, []);
        _sample.Builder.Build(_sample.Number, _sample.Delivery, rendered).WriteTo(Wire, Stream.Null);
    }

    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
