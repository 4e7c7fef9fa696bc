using System.Buffers;
using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using TraceMiddleware.Tracing;

namespace TraceMiddleware.Export.Sentry;

/// <summary>
/// Writes one Sentry envelope holding one transaction item (PROTOCOL.md §8) with <see cref="Utf8JsonWriter"/>:
/// no reflection serializer, so it is trim- and AOT-safe. Not thread-safe: it reuses one payload buffer
/// and one JSON writer, so each sender owns an instance.
/// </summary>
/// <remarks>
/// Strings are escaped with <see cref="JavaScriptEncoder.Default"/>: HTML-sensitive characters
/// (<c>&lt; &gt; &amp; ' +</c>) and everything outside ASCII become <c>\uXXXX</c>. That is valid JSON that
/// Sentry and Spotlight decode to the same text, and it stays safe where a viewer embeds the JSON in a page
/// (Spotlight is a web UI); the relaxed encoder would save a few bytes on non-ASCII names only.
/// </remarks>
internal sealed class EnvelopeWriter
{
    /// <summary>The Sentry platform of this SDK.</summary>
    public const string Platform = "csharp";

    /// <summary>The origin of a span that carries no <c>sentry.origin</c> tag, as in Sentry's SDKs.</summary>
    public const string DefaultOrigin = "manual";

    private const int EventIdLength = 32;
    private const int InitialPayloadCapacity = 4096;
    private const string DataTagPrefix = "sentry.";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.Default };

    private static readonly JsonEncodedText TypeName = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText TransactionValue = JsonEncodedText.Encode("transaction");
    private static readonly JsonEncodedText LengthName = JsonEncodedText.Encode("length");
    private static readonly JsonEncodedText EventIdName = JsonEncodedText.Encode("event_id");
    private static readonly JsonEncodedText SentAtName = JsonEncodedText.Encode("sent_at");
    private static readonly JsonEncodedText SdkName = JsonEncodedText.Encode("sdk");
    private static readonly JsonEncodedText NameName = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText VersionName = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText TraceName = JsonEncodedText.Encode("trace");
    private static readonly JsonEncodedText TransactionName = JsonEncodedText.Encode("transaction");
    private static readonly JsonEncodedText TransactionInfoName = JsonEncodedText.Encode("transaction_info");
    private static readonly JsonEncodedText SourceName = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText StartTimestampName = JsonEncodedText.Encode("start_timestamp");
    private static readonly JsonEncodedText TimestampName = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText ReleaseName = JsonEncodedText.Encode("release");
    private static readonly JsonEncodedText EnvironmentName = JsonEncodedText.Encode("environment");
    private static readonly JsonEncodedText PlatformName = JsonEncodedText.Encode("platform");
    private static readonly JsonEncodedText PlatformValue = JsonEncodedText.Encode(Platform);
    private static readonly JsonEncodedText ContextsName = JsonEncodedText.Encode("contexts");
    private static readonly JsonEncodedText SpansName = JsonEncodedText.Encode("spans");
    private static readonly JsonEncodedText TraceIdName = JsonEncodedText.Encode("trace_id");
    private static readonly JsonEncodedText SpanIdName = JsonEncodedText.Encode("span_id");
    private static readonly JsonEncodedText ParentSpanIdName = JsonEncodedText.Encode("parent_span_id");
    private static readonly JsonEncodedText OpName = JsonEncodedText.Encode("op");
    private static readonly JsonEncodedText DescriptionName = JsonEncodedText.Encode("description");
    private static readonly JsonEncodedText StatusName = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText OriginName = JsonEncodedText.Encode("origin");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");

    private readonly TimeProvider _time;
    private readonly Func<Guid> _newEventId;
    private readonly string? _sdkVersionOverride;
    private readonly JsonEncodedText _sdkName;
    private readonly JsonEncodedText _sdkVersion;
    private readonly ArrayBufferWriter<byte> _payload = new(InitialPayloadCapacity);
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates a writer.</summary>
    /// <param name="time">The clock for <c>sent_at</c>.</param>
    /// <param name="newEventId">Makes each envelope's event id; <see cref="Guid.NewGuid"/> when null (tests pass a fixed one).</param>
    /// <param name="sdkVersion">The version in <c>sdk</c>; <see cref="SentrySdkInfo.Version"/> when null (golden files pin one).</param>
    public EnvelopeWriter(TimeProvider time, Func<Guid>? newEventId = null, string? sdkVersion = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _newEventId = newEventId ?? Guid.NewGuid;
        _sdkVersionOverride = sdkVersion;
        _sdkName = JsonEncodedText.Encode(SentrySdkInfo.Name);
        _sdkVersion = JsonEncodedText.Encode(sdkVersion ?? SentrySdkInfo.Version);
        _json = new Utf8JsonWriter(_payload, WriterOptions);
    }

    /// <summary>
    /// A writer with the same clock, event-id source and SDK version and buffers of its own, for another
    /// sender. The two share the event-id source, which may then be called from two threads at once.
    /// </summary>
    /// <returns>The new writer.</returns>
    public EnvelopeWriter Fork() => new(_time, _newEventId, _sdkVersionOverride);

    /// <summary>
    /// Appends the envelope for <paramref name="transaction"/> to <paramref name="output"/>: envelope header,
    /// <c>\n</c>, item header with the payload's length in bytes, <c>\n</c>, payload; no trailing newline.
    /// </summary>
    /// <param name="transaction">The transaction.</param>
    /// <param name="output">Where the bytes go.</param>
    public void Write(SentryTransaction transaction, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(output);

        Span<char> eventId = stackalloc char[EventIdLength];
        _newEventId().TryFormat(eventId, out _, "N");

        // The item header carries the payload's byte length, so the payload is written first.
        _payload.ResetWrittenCount();
        _json.Reset(_payload);
        WritePayload(transaction, eventId);
        _json.Flush();

        _json.Reset(output);
        WriteEnvelopeHeader(transaction, eventId);
        _json.Flush();
        WriteNewline(output);

        _json.Reset(output);
        _json.WriteStartObject();
        _json.WriteString(TypeName, TransactionValue);
        _json.WriteNumber(LengthName, _payload.WrittenCount);
        _json.WriteEndObject();
        _json.Flush();
        WriteNewline(output);

        output.Write(_payload.WrittenSpan);

        // The writer must not keep the caller's buffer reachable.
        _json.Reset(_payload);
    }

    private void WriteEnvelopeHeader(SentryTransaction transaction, ReadOnlySpan<char> eventId)
    {
        var json = _json;
        json.WriteStartObject();
        json.WriteString(EventIdName, eventId);

        // Like JS's Date.toISOString(): milliseconds and a Z.
        Span<char> sentAt = stackalloc char[24];
        _time.GetUtcNow().UtcDateTime.TryFormat(sentAt, out var written, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        json.WriteString(SentAtName, sentAt[..written]);

        WriteSdk(json);

        // An empty frozen DSC (a caller that sent no sentry- baggage) has nothing to say; Relay treats a
        // missing trace header as "no dynamic sampling context", which is what it is.
        var entries = transaction.DynamicSamplingContext.Entries;
        if (entries.Count > 0)
        {
            json.WriteStartObject(TraceName);
            for (var i = 0; i < entries.Count; i++)
            {
                json.WriteString(entries[i].Key, entries[i].Value);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private void WritePayload(SentryTransaction transaction, ReadOnlySpan<char> eventId)
    {
        var json = _json;
        var root = transaction.Root;
        json.WriteStartObject();
        json.WriteString(TypeName, TransactionValue);
        json.WriteString(EventIdName, eventId);
        json.WriteString(TransactionName, root.DisplayName);
        json.WriteStartObject(TransactionInfoName);
        json.WriteString(SourceName, transaction.TransactionSource);
        json.WriteEndObject();
        json.WriteNumber(StartTimestampName, ToUnixSeconds(root.StartTimeUtc));
        json.WriteNumber(TimestampName, ToUnixSeconds(root.StartTimeUtc + root.Duration));
        if (transaction.Release is { Length: > 0 } release)
        {
            json.WriteString(ReleaseName, release);
        }

        json.WriteString(EnvironmentName, transaction.Environment);
        json.WriteString(PlatformName, PlatformValue);
        WriteSdk(json);

        json.WriteStartObject(ContextsName);
        json.WriteStartObject(TraceName);
        WriteIds(json, root, reportParent: transaction.ReportParentSpanId && root.ParentSpanId != default);
        WriteOpStatusOrigin(json, root);
        WriteData(json, root);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray(SpansName);
        var spans = transaction.Spans;
        for (var i = 0; i < spans.Count; i++)
        {
            var span = spans[i];
            json.WriteStartObject();
            WriteIds(json, span, reportParent: span.ParentSpanId != default);
            WriteOpStatusOrigin(json, span);
            json.WriteString(DescriptionName, span.DisplayName);
            json.WriteNumber(StartTimestampName, ToUnixSeconds(span.StartTimeUtc));
            json.WriteNumber(TimestampName, ToUnixSeconds(span.StartTimeUtc + span.Duration));
            WriteData(json, span);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private void WriteSdk(Utf8JsonWriter json)
    {
        json.WriteStartObject(SdkName);
        json.WriteString(NameName, _sdkName);
        json.WriteString(VersionName, _sdkVersion);
        json.WriteEndObject();
    }

    private static void WriteIds(Utf8JsonWriter json, Activity activity, bool reportParent)
    {
        // Activity keeps its ids as hex strings already: ToHexString allocates nothing.
        json.WriteString(TraceIdName, activity.TraceId.ToHexString());
        json.WriteString(SpanIdName, activity.SpanId.ToHexString());
        if (reportParent)
        {
            json.WriteString(ParentSpanIdName, activity.ParentSpanId.ToHexString());
        }
    }

    private static void WriteOpStatusOrigin(Utf8JsonWriter json, Activity activity)
    {
        // A span of another ActivitySource carries no sentry.op; its operation name still says what made it.
        json.WriteString(OpName, activity.GetTagItem(SpanTags.Op) as string ?? activity.OperationName);
        json.WriteString(StatusName, SpanStatus.Of(activity));
        json.WriteString(OriginName, activity.GetTagItem(SpanTags.Origin) as string ?? DefaultOrigin);
    }

    private static void WriteData(Utf8JsonWriter json, Activity activity)
    {
        var started = false;
        foreach (var tag in activity.EnumerateTagObjects())
        {
            if (tag.Key.StartsWith(DataTagPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (!started)
            {
                json.WriteStartObject(DataName);
                started = true;
            }

            json.WritePropertyName(tag.Key);
            WriteValue(json, tag.Value, allowArray: true);
        }

        if (started)
        {
            json.WriteEndObject();
        }
    }

    private static void WriteValue(Utf8JsonWriter json, object? value, bool allowArray)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int i:
                json.WriteNumberValue(i);
                break;
            case long l:
                json.WriteNumberValue(l);
                break;
            case short sh:
                json.WriteNumberValue(sh);
                break;
            case byte by:
                json.WriteNumberValue(by);
                break;
            case sbyte sb:
                json.WriteNumberValue(sb);
                break;
            case ushort us:
                json.WriteNumberValue(us);
                break;
            case uint ui:
                json.WriteNumberValue(ui);
                break;
            case ulong ul:
                json.WriteNumberValue(ul);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;

            // JSON has no NaN or Infinity (Utf8JsonWriter throws on them): they travel as text.
            case double d:
                json.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
                break;
            case float f:
                json.WriteStringValue(f.ToString(CultureInfo.InvariantCulture));
                break;

            // OpenTelemetry allows arrays of primitives as attribute values (string[] headers, for example).
            case IEnumerable items when allowArray:
                json.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(json, item, allowArray: false);
                }

                json.WriteEndArray();
                break;
            case IFormattable formattable:
                json.WriteStringValue(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                json.WriteStringValue(value.ToString());
                break;
        }
    }

    // Float seconds with microsecond precision; decimal keeps the digits exact (a double would need 16
    // significant digits and prints unpredictably), and Utf8JsonWriter writes it without trailing zeros.
    internal static decimal ToUnixSeconds(DateTime utc)
    {
        var microseconds = (utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMicrosecond;
        return microseconds / 1_000_000m;
    }

    private static void WriteNewline(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = (byte)'\n';
        output.Advance(1);
    }
}
