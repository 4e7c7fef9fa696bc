using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Testing;

namespace TraceMiddleware.PackageTests.Infrastructure;

/// <summary>
/// Stands in for Sentry on loopback: a consumer app's DSN points here (so nothing leaves the machine), and a test reads
/// the transactions the app sent.
/// </summary>
public sealed class EnvelopeReceiver : IAsyncDisposable
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private readonly Channel<JsonElement> _transactions = Channel.CreateUnbounded<JsonElement>();
    private readonly List<string> _received = [];
    private WebApplication? _app;
    private Uri _baseAddress = null!;

    private EnvelopeReceiver()
    {
    }

    /// <summary>A DSN for this receiver: <c>http://consumer@127.0.0.1:PORT/42</c>.</summary>
    public string Dsn => $"http://consumer@{_baseAddress.Host}:{_baseAddress.Port}/42";

    public static async Task<EnvelopeReceiver> StartAsync()
    {
        var receiver = new EnvelopeReceiver();
        (receiver._app, receiver._baseAddress) = await LoopbackServer.StartAsync(receiver.ReceiveAsync);
        return receiver;
    }

    /// <summary>The payload of the first transaction of <paramref name="traceId"/> that arrives.</summary>
    public async Task<JsonElement> WaitForTransactionAsync(string traceId)
    {
        using var timeout = new CancellationTokenSource(s_wait);
        try
        {
            while (true)
            {
                var transaction = await _transactions.Reader.ReadAsync(timeout.Token);
                if (transaction.GetProperty("contexts").GetProperty("trace").GetProperty("trace_id").GetString() == traceId)
                {
                    return transaction;
                }
            }
        }
        catch (OperationCanceledException)
        {
            lock (_received)
            {
                throw new TimeoutException($"No transaction of trace {traceId} arrived within {s_wait}; received: [{string.Join(", ", _received)}].");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var body = context.Request.Headers.ContentEncoding == "gzip"
            ? new GZipStream(context.Request.Body, CompressionMode.Decompress)
            : context.Request.Body;
        using var reader = new StreamReader(body, Encoding.UTF8);
        var lines = (await reader.ReadToEndAsync()).Split('\n');
        lock (_received)
        {
            _received.Add($"{context.Request.Method} {context.Request.Path} ({lines.Length} lines)");
        }

        // An envelope is a header line, then for each item a header line and a payload line.
        for (var i = 1; i + 1 < lines.Length; i += 2)
        {
            using var itemHeader = JsonDocument.Parse(lines[i]);
            if (itemHeader.RootElement.TryGetProperty("type", out var type) && type.GetString() == "transaction")
            {
                using var payload = JsonDocument.Parse(lines[i + 1]);
                _transactions.Writer.TryWrite(payload.RootElement.Clone());
            }
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync("{}");
    }
}
