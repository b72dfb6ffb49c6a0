using MimeKit;

namespace Digest.Delivery;

/// <summary>
/// The embedded default when no SMTP host is set: each message becomes an .eml file in
/// <c>{outbox}/edition-NNNN/</c>, named after the recipient, so a rerun overwrites rather than duplicates.
/// </summary>
public sealed class OutboxTransport(string folder) : IMailTransport
{
    public string Folder { get; } = folder;
    public string Description => $"outbox {Folder}";
    public int Connections => 1;

    public static string EditionFolder(string outbox, int edition) => Path.Combine(outbox, $"edition-{edition:D4}");

    public IMailConnection OpenConnection(int edition) => new Connection(EditionFolder(Folder, edition));

    private sealed class Connection(string folder) : IMailConnection
    {
        public async ValueTask<string> SendAsync(MimeMessage message, CancellationToken cancellationToken)
        {
            // Each file holds a reader's address and a working unsubscribe link: the owner's only.
            Storage.PrivateFiles.CreateFolder(Path.GetDirectoryName(folder)!);
            Storage.PrivateFiles.CreateFolder(folder);
            var address = message.To.Mailboxes.First().Address.ToLowerInvariant();
            var name = string.Concat(address.Replace("@", "_at_", StringComparison.Ordinal)
                .Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
            var file = Path.Combine(folder, name + ".eml");
            var partial = file + ".part";
            try
            {
                await using (var stream = Storage.PrivateFiles.OpenWrite(partial))
                    await message.WriteToAsync(stream, cancellationToken);
                File.Move(partial, file, overwrite: true);
            }
            catch (IOException e)
            {
                throw new DeliveryException(DeliveryFailure.Fatal, $"cannot write {file}: {e.Message}", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new DeliveryException(DeliveryFailure.Fatal, $"cannot write {file}: {e.Message}", e);
            }
            return $"written to {file}";
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
