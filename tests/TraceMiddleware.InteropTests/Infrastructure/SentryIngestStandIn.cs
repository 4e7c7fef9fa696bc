using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TraceMiddleware.Testing;

namespace TraceMiddleware.InteropTests.Infrastructure;

/// <summary>
/// A small stand-in for Sentry's ingestion: a loopback Kestrel server that accepts envelopes at
/// <c>POST /api/{project}/envelope/</c> (plain, gzip, deflate or br; JS SDKs put the auth in the query
/// string, .NET in <c>X-Sentry-Auth</c>), parses them, keeps them, and lets a test wait for a transaction or an
/// error event.
/// Browsers post to it cross-origin, so it answers CORS. Any SDK reaches it with <see cref="Dsn"/>.
/// </summary>
public sealed class SentryIngestStandIn : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<ReceivedEnvelope> _envelopes = [];
    private readonly List<string> _rejections = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;

    private SentryIngestStandIn()
    {
    }

    /// <summary>http://127.0.0.1:PORT/</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<ReceivedEnvelope> Envelopes
    {
        get
        {
            lock (_gate)
            {
                return [.. _envelopes];
            }
        }
    }

    /// <summary>Requests that were not envelopes it could read, with the reason.</summary>
    public IReadOnlyList<string> Rejections
    {
        get
        {
            lock (_gate)
            {
                return [.. _rejections];
            }
        }
    }

    public IReadOnlyList<ReceivedTransaction> Transactions
    {
        get
        {
            lock (_gate)
            {
                return TransactionsLocked();
            }
        }
    }

    /// <summary>Every error event (<c>"type":"event"</c> item) received.</summary>
    public IReadOnlyList<ReceivedErrorEvent> ErrorEvents
    {
        get
        {
            lock (_gate)
            {
                return ErrorEventsLocked();
            }
        }
    }

    public static async Task<SentryIngestStandIn> StartAsync()
    {
        var standIn = new SentryIngestStandIn();
        (standIn._app, standIn.BaseAddress) = await LoopbackServer.StartAsync(standIn.HandleAsync);
        return standIn;
    }

    /// <summary>A DSN pointing here: <c>http://{publicKey}@127.0.0.1:PORT/{projectId}</c>.</summary>
    public string Dsn(string publicKey = "interop", int projectId = 1) =>
        $"http://{publicKey}@{BaseAddress.Host}:{BaseAddress.Port}/{projectId}";

    public IReadOnlyList<ReceivedTransaction> TransactionsOf(string traceId) =>
        Transactions.Where(t => t.TraceId == traceId).ToList();

    /// <summary>Waits for the first transaction (already received or still to come) that <paramref name="match"/> accepts.</summary>
    public Task<ReceivedTransaction> WaitForTransactionAsync(Func<ReceivedTransaction, bool> match, string what, TimeSpan? timeout = null) =>
        WaitForAsync(TransactionsLocked, match, what, timeout);

    /// <summary>Waits for the first error event (already received or still to come) that <paramref name="match"/> accepts.</summary>
    public Task<ReceivedErrorEvent> WaitForErrorEventAsync(Func<ReceivedErrorEvent, bool> match, string what, TimeSpan? timeout = null) =>
        WaitForAsync(ErrorEventsLocked, match, what, timeout);

    /// <summary>Every transaction received and every rejected request, for failure messages.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            foreach (var envelope in _envelopes)
            {
                text.Append("  envelope to project ").Append(envelope.ProjectId).Append(" from ").Append(envelope.SdkName).Append(": ")
                    .AppendJoin(", ", envelope.Items.Select(i => i.Type)).AppendLine();
            }

            foreach (var transaction in TransactionsLocked())
            {
                text.Append("  ").Append(transaction).AppendLine();
            }

            foreach (var errorEvent in ErrorEventsLocked())
            {
                text.Append("  ").Append(errorEvent).AppendLine();
            }

            foreach (var rejection in _rejections)
            {
                text.Append("  rejected: ").AppendLine(rejection);
            }

            return text.Length == 0 ? "  nothing" : text.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>
    /// Parses an envelope: a header line, then items, each a header line and a payload that is either
    /// <c>length</c> bytes (when the item header says so) or the rest of the line.
    /// </summary>
    public static bool TryParse(ReadOnlyMemory<byte> body, out JsonElement header, out List<ReceivedEnvelopeItem> items, out string? error)
    {
        items = [];
        header = default;
        try
        {
            var span = body.Span;
            var position = 0;
            header = ParseJson(ReadLine(span, ref position));
            while (position < span.Length)
            {
                var line = ReadLine(span, ref position);
                if (line.IsEmpty)
                {
                    continue;
                }

                var itemHeader = ParseJson(line);
                ReadOnlyMemory<byte> payload;
                if (itemHeader.TryGetProperty("length", out var length) && length.ValueKind == JsonValueKind.Number)
                {
                    var count = length.GetInt32();
                    if (count < 0 || position + count > span.Length)
                    {
                        error = $"an item's length {count} runs past the end of the envelope";
                        return false;
                    }

                    payload = body.Slice(position, count);
                    position += count;
                    if (position < span.Length && span[position] == (byte)'\n')
                    {
                        position++;
                    }
                }
                else
                {
                    var start = position;
                    var end = ReadLine(span, ref position).Length;
                    payload = body.Slice(start, end);
                }

                var type = itemHeader.TryGetProperty("type", out var t) ? t.GetString() : null;
                JsonElement? json = payload.Length > 0 && payload.Span[0] == (byte)'{' ? ParseJson(payload.Span) : null;
                items.Add(new ReceivedEnvelopeItem(type, itemHeader, payload, json));
            }

            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            error = "invalid JSON: " + exception.Message;
            return false;
        }
    }

    private static ReadOnlySpan<byte> ReadLine(ReadOnlySpan<byte> span, ref int position)
    {
        var rest = span[position..];
        var newline = rest.IndexOf((byte)'\n');
        if (newline < 0)
        {
            position = span.Length;
            return rest;
        }

        position += newline + 1;
        return rest[..newline];
    }

    private static JsonElement ParseJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return JsonElement.ParseValue(ref reader);
    }

    private List<ReceivedTransaction> TransactionsLocked() => ItemsLocked("transaction", (e, p) => new ReceivedTransaction(e, p));

    private List<ReceivedErrorEvent> ErrorEventsLocked() => ItemsLocked("event", (e, p) => new ReceivedErrorEvent(e, p));

    private List<T> ItemsLocked<T>(string type, Func<ReceivedEnvelope, JsonElement, T> create)
    {
        var found = new List<T>();
        foreach (var envelope in _envelopes)
        {
            foreach (var item in envelope.Items)
            {
                if (item.Type == type && item.Json is { } payload)
                {
                    found.Add(create(envelope, payload));
                }
            }
        }

        return found;
    }

    private async Task<T> WaitForAsync<T>(Func<List<T>> itemsLocked, Func<T, bool> match, string what, TimeSpan? timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout ?? Waits.Peer);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                foreach (var item in itemsLocked())
                {
                    if (match(item))
                    {
                        return item;
                    }
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cancellation.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The ingestion stand-in received no {what} within {timeout ?? Waits.Peer}. It has:\n{Describe()}");
            }
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;

        // Sentry's browser SDK posts from the page's origin.
        response.Headers.AccessControlAllowOrigin = "*";
        if (HttpMethods.IsOptions(request.Method))
        {
            response.Headers.AccessControlAllowMethods = "POST";
            response.Headers.AccessControlAllowHeaders = request.Headers.AccessControlRequestHeaders.ToString() is { Length: > 0 } asked ? asked : "*";
            response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        var segments = (request.Path.Value ?? string.Empty).Trim('/').Split('/');
        if (!HttpMethods.IsPost(request.Method) || segments is not ["api", var projectId, "envelope"])
        {
            Reject($"{request.Method} {request.Path}: not an envelope endpoint");
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(request);
        }
        catch (Exception exception) when (exception is InvalidDataException or NotSupportedException)
        {
            Reject($"body not decodable ({request.Headers.ContentEncoding}): {exception.Message}");
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (!TryParse(body, out var header, out var items, out var error))
        {
            Reject(error!);
            response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var envelope = new ReceivedEnvelope(projectId, headers, request.QueryString.Value ?? string.Empty, header, items);
        lock (_gate)
        {
            _envelopes.Add(envelope);
            SignalLocked();
        }

        response.ContentType = "application/json";
        var eventId = header.TryGetProperty("event_id", out var id) ? id.GetString() : null;
        await response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string?> { ["id"] = eventId }));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        Stream source = request.Body;
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        source = encoding switch
        {
            "" or "identity" => source,
            "gzip" => new GZipStream(source, CompressionMode.Decompress),
            "deflate" => new ZLibStream(source, CompressionMode.Decompress),
            "br" => new BrotliStream(source, CompressionMode.Decompress),
            _ => throw new NotSupportedException($"Content-Encoding '{encoding}'"),
        };
        await using (source)
        {
            using var buffer = new MemoryStream();
            await source.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    private void Reject(string reason)
    {
        lock (_gate)
        {
            _rejections.Add(reason);
            SignalLocked();
        }
    }

    private void SignalLocked()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
