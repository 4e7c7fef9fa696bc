using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using TraceMiddleware.Export;
using TraceMiddleware.Export.Console;
using TraceMiddleware.Propagation;
using TraceMiddleware.Transactions;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Reads the transaction item of a browser envelope the tunnel received, for the console tree: its trace,
/// its root span and up to <see cref="SentryTransaction.MaxSpans"/> spans, each with the few fields a tree line
/// shows. Only in Development, only an uncompressed body, and nothing but the transaction item is parsed.
/// </summary>
/// <remarks>
/// Everything in it is the browser's word: ids must be valid lowercase hex, numbers finite, text is cut at
/// <see cref="MaxTextLength"/> (the formatter makes it safe for a terminal), and whatever is malformed makes the
/// item unreadable (or, in one span, that span left out and counted as dropped) rather than an exception.
/// </remarks>
internal static class BrowserTransactionReader
{
    /// <summary>The most item headers looked at before giving up on finding a transaction.</summary>
    public const int MaxItems = 100;

    /// <summary>The longest op, name or status kept; longer text is cut and ends with an ellipsis.</summary>
    public const int MaxTextLength = 200;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64 };

    /// <summary>Finds and reads the transaction item of <paramref name="envelope"/>.</summary>
    /// <param name="envelope">The envelope as the tunnel received it, uncompressed.</param>
    /// <param name="root">The browser's part of the trace, when the method returns <see langword="true"/>.</param>
    /// <returns>Whether the envelope holds a readable transaction.</returns>
    public static bool TryRead(ReadOnlySpan<byte> envelope, [NotNullWhen(true)] out ConsoleTraceRoot? root)
    {
        root = null;
        var newline = envelope.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return false;
        }

        var rest = envelope[(newline + 1)..];
        for (var item = 0; item < MaxItems && !rest.IsEmpty; item++)
        {
            var headerEnd = rest.IndexOf((byte)'\n');
            var header = headerEnd < 0 ? rest : rest[..headerEnd];
            rest = headerEnd < 0 ? [] : rest[(headerEnd + 1)..];
            if (header.IsEmpty)
            {
                continue;
            }

            if (!TryReadItemHeader(header, out var isTransaction, out var length))
            {
                return false;
            }

            ReadOnlySpan<byte> payload;
            if (length >= 0)
            {
                if (length > rest.Length)
                {
                    return false;
                }

                payload = rest[..length];
                rest = rest[length..];
                if (!rest.IsEmpty && rest[0] == (byte)'\n')
                {
                    rest = rest[1..];
                }
            }
            else
            {
                var payloadEnd = rest.IndexOf((byte)'\n');
                payload = payloadEnd < 0 ? rest : rest[..payloadEnd];
                rest = payloadEnd < 0 ? [] : rest[(payloadEnd + 1)..];
            }

            if (isTransaction)
            {
                return TryReadTransaction(payload, out root);
            }
        }

        return false;
    }

    private static bool TryReadItemHeader(ReadOnlySpan<byte> header, out bool isTransaction, out int length)
    {
        isTransaction = false;
        length = -1;
        try
        {
            var reader = new Utf8JsonReader(header, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isLength = reader.ValueTextEquals("length"u8);
                reader.Read();
                if (isType)
                {
                    isTransaction = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("transaction"u8);
                }
                else if (isLength && (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out length) || length < 0))
                {
                    return false;
                }

                reader.Skip();
            }

            return reader.TokenType == JsonTokenType.EndObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool TryReadTransaction(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out ConsoleTraceRoot? root)
    {
        root = null;
        try
        {
            var reader = new Utf8JsonReader(payload, ReaderOptions);
            using var document = JsonDocument.ParseValue(ref reader);
            var transaction = document.RootElement;
            if (transaction.ValueKind != JsonValueKind.Object
                || !transaction.TryGetProperty("contexts", out var contexts) || contexts.ValueKind != JsonValueKind.Object
                || !contexts.TryGetProperty("trace", out var trace) || trace.ValueKind != JsonValueKind.Object
                || Text(trace, "trace_id") is not { } traceText || !HexId.TryParseTraceId(traceText, out var traceId)
                || !TryReadSpan(trace, Text(transaction, "transaction"), transaction, out var rootSpan))
            {
                return false;
            }

            var spans = new List<ConsoleSpan>();
            var dropped = 0;
            if (transaction.TryGetProperty("spans", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var span in list.EnumerateArray())
                {
                    if (spans.Count < SentryTransaction.MaxSpans && span.ValueKind == JsonValueKind.Object && TryReadSpan(span, Text(span, "description"), span, out var read))
                    {
                        spans.Add(read);
                    }
                    else
                    {
                        dropped++;
                    }
                }
            }

            root = new ConsoleTraceRoot(ConsoleTraceExporter.BrowserServiceName, HexId.ToActivityTraceId(traceId), rootSpan, spans, dropped);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads ids, op and status from <paramref name="ids"/> and the two timestamps from <paramref name="times"/>.</summary>
    private static bool TryReadSpan(JsonElement ids, string? name, JsonElement times, out ConsoleSpan span)
    {
        span = default;
        if (Text(ids, "span_id") is not { } spanText || !HexId.TryParseSpanId(spanText, out var spanId)
            || !TryReadSeconds(times, "start_timestamp", out var start) || !TryReadSeconds(times, "timestamp", out var end))
        {
            return false;
        }

        ActivitySpanId parent = default;
        if (Text(ids, "parent_span_id") is { } parentText && HexId.TryParseSpanId(parentText, out var parentId))
        {
            parent = HexId.ToActivitySpanId(parentId);
        }

        var startUtc = DateTime.UnixEpoch.AddTicks(start);
        span = new ConsoleSpan(
            HexId.ToActivitySpanId(spanId),
            parent,
            Text(ids, "op") is { Length: > 0 } op ? op : ConsoleTraceRoot.DefaultOp,
            name ?? string.Empty,
            startUtc,
            TimeSpan.FromTicks(Math.Max(0, end - start)),

            // The browser SDK leaves the status out when the span did not set one: as for our own spans, ok.
            Text(ids, "status") is { Length: > 0 } status ? status : "ok");
        return true;
    }

    /// <summary>A Unix time in seconds, as ticks since the epoch; only sane dates (no overflow, no year 10000).</summary>
    private static bool TryReadSeconds(JsonElement element, string name, out long ticks)
    {
        ticks = 0;
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds)
            || !(seconds >= 0 && seconds < 253_402_300_799))
        {
            return false;
        }

        ticks = (long)(seconds * TimeSpan.TicksPerSecond);
        return true;
    }

    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var text = value.GetString()!;
        return text.Length <= MaxTextLength ? text : string.Concat(text.AsSpan(0, MaxTextLength - 1), "…");
    }
}
