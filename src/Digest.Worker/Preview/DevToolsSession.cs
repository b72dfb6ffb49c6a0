using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Digest.Worker.Preview;

/// <summary>
/// The few Chrome DevTools protocol calls a preview needs, over one WebSocket. Calls are made one at a time and
/// answered in order, so a reply is read by the call that waits for it; events that arrive meanwhile are kept
/// for <see cref="WaitForEventAsync"/>. A flattened target session shares the socket, told apart by sessionId.
/// </summary>
public sealed class DevToolsSession : IAsyncDisposable
{
    private readonly Connection _connection;
    private readonly string? _sessionId;

    private DevToolsSession(Connection connection, string? sessionId)
    {
        _connection = connection;
        _sessionId = sessionId;
    }

    public static async Task<DevToolsSession> ConnectAsync(Uri endpoint, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(endpoint, cancellationToken);
        return new DevToolsSession(new Connection(socket), null);
    }

    /// <summary>The same connection, addressed to an attached target (a page).</summary>
    public DevToolsSession ForSession(string sessionId) => new(_connection, sessionId);

    /// <summary>Sends a command and returns its <c>result</c>; a protocol error becomes a <see cref="ChromiumException"/>.</summary>
    public async Task<JsonElement> SendAsync(string method, object parameters, CancellationToken cancellationToken)
    {
        var id = ++_connection.LastId;
        var message = _sessionId is null
            ? JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters })
            : JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters, sessionId = _sessionId });
        await _connection.Socket.SendAsync(message, WebSocketMessageType.Text, true, cancellationToken);
        while (true)
        {
            var reply = await _connection.ReceiveAsync(cancellationToken);
            if (reply.TryGetProperty("id", out var replyId) && replyId.GetInt32() == id)
            {
                if (reply.TryGetProperty("error", out var error))
                    throw new ChromiumException($"DevTools {method} failed: {error.GetProperty("message").GetString()}");
                return reply.GetProperty("result").Clone();
            }
            if (reply.TryGetProperty("method", out _)) _connection.Events.Add(reply.Clone());
        }
    }

    /// <summary>Waits for an event of this session, or returns at once if it already came.</summary>
    public async Task WaitForEventAsync(string method, CancellationToken cancellationToken)
    {
        bool Matches(JsonElement e) =>
            e.GetProperty("method").GetString() == method
            && (!e.TryGetProperty("sessionId", out var s) ? _sessionId is null : s.GetString() == _sessionId);

        if (_connection.Events.RemoveAll(Matches) > 0) return;
        while (true)
        {
            var message = await _connection.ReceiveAsync(cancellationToken);
            if (message.TryGetProperty("method", out _) && Matches(message)) return;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_sessionId is not null) return;
        try
        {
            if (_connection.Socket.State == WebSocketState.Open)
                await _connection.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (WebSocketException)
        {
            // The browser closed first (Browser.close): nothing left to say goodbye to.
        }
        _connection.Socket.Dispose();
    }

    private sealed class Connection(ClientWebSocket socket)
    {
        public ClientWebSocket Socket { get; } = socket;
        public int LastId { get; set; }
        public List<JsonElement> Events { get; } = [];

        public async Task<JsonElement> ReceiveAsync(CancellationToken cancellationToken)
        {
            // Screenshots arrive as one large base64 message, in many frames.
            using var buffer = new MemoryStream();
            var chunk = new byte[64 * 1024];
            while (true)
            {
                var received = await Socket.ReceiveAsync(chunk, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                    throw new ChromiumException("the browser closed the DevTools connection");
                buffer.Write(chunk, 0, received.Count);
                if (received.EndOfMessage) break;
            }
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.Clone();
        }
    }
}
