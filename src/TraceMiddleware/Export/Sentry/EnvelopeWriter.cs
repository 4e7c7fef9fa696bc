using System.Buffers;
using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using TraceMiddleware.Tracing;
using TraceMiddleware.Transactions;

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

    private const int EventIdLength = 32;
    private const int InitialPayloadCapacity = 4096;

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
    private static readonly JsonEncodedText TagsName = JsonEncodedText.Encode("tags");
    private static readonly JsonEncodedText UserName = JsonEncodedText.Encode("user");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText UsernameName = JsonEncodedText.Encode("username");
    private static readonly JsonEncodedText EmailName = JsonEncodedText.Encode("email");
    private static readonly JsonEncodedText IpAddressName = JsonEncodedText.Encode("ip_address");
    private static readonly JsonEncodedText RequestName = JsonEncodedText.Encode("request");
    private static readonly JsonEncodedText MethodName = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText UrlName = JsonEncodedText.Encode("url");
    private static readonly JsonEncodedText HeadersName = JsonEncodedText.Encode("headers");
    private static readonly JsonEncodedText CookiesName = JsonEncodedText.Encode("cookies");

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
        var pii = transaction.SendDefaultPii;
        json.WriteStartObject();
        json.WriteString(TypeName, TransactionValue);
        json.WriteString(EventIdName, eventId);
        json.WriteString(TransactionName, transaction.Name);
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
        WriteTags(json, transaction);
        WriteUser(json, transaction.User);
        WriteRequest(json, transaction.Request);

        json.WriteStartObject(ContextsName);
        json.WriteStartObject(TraceName);
        WriteIds(json, root, reportParent: transaction.ParentSpanId is not null);
        json.WriteString(OpName, transaction.Operation);
        json.WriteString(StatusName, transaction.Status);
        json.WriteString(OriginName, transaction.Origin);
        WriteData(json, root, transaction.ChangedData, pii);
        json.WriteEndObject();
        json.WriteEndObject();

        json.WriteStartArray(SpansName);
        if (transaction.ChangedSpans is { } changed)
        {
            foreach (var span in changed)
            {
                WriteSpan(json, span.Activity, span, pii);
            }
        }
        else
        {
            var spans = transaction.Activities;
            for (var i = 0; i < spans.Count; i++)
            {
                WriteSpan(json, spans[i], null, pii);
            }
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter json, Activity activity, SentrySpan? span, bool pii)
    {
        json.WriteStartObject();
        WriteIds(json, activity, reportParent: activity.ParentSpanId != default);
        json.WriteString(OpName, span?.Operation ?? SpanData.Operation(activity));
        json.WriteString(StatusName, span?.Status ?? SpanStatus.Of(activity));
        json.WriteString(OriginName, activity.GetTagItem(SpanTags.Origin) as string ?? SentryTransaction.DefaultOrigin);
        json.WriteString(DescriptionName, span?.Description ?? activity.DisplayName);
        json.WriteNumber(StartTimestampName, ToUnixSeconds(activity.StartTimeUtc));
        json.WriteNumber(TimestampName, ToUnixSeconds(activity.StartTimeUtc + activity.Duration));
        WriteData(json, activity, span?.ChangedData, pii);
        json.WriteEndObject();
    }

    private static void WriteTags(Utf8JsonWriter json, SentryTransaction transaction)
    {
        // Most transactions have no tags: the dictionary is built only when there are some.
        var tags = transaction.ChangedTags
            ?? (transaction.Details.Tags.Count > 0 || HasTagPrefix(transaction.Root) ? transaction.Tags : null);
        if (tags is null || tags.Count == 0)
        {
            return;
        }

        json.WriteStartObject(TagsName);
        foreach (var (key, value) in tags)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
    }

    private static bool HasTagPrefix(Activity activity)
    {
        foreach (var tag in activity.EnumerateTagObjects())
        {
            if (tag.Key.StartsWith(SpanData.TagPrefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteUser(Utf8JsonWriter json, SentryUser? user)
    {
        if (user is null || user.IsEmpty)
        {
            return;
        }

        json.WriteStartObject(UserName);
        WriteOptional(json, IdName, user.Id);
        WriteOptional(json, UsernameName, user.Username);
        WriteOptional(json, EmailName, user.Email);
        WriteOptional(json, IpAddressName, user.IpAddress);
        json.WriteEndObject();
    }

    private static void WriteRequest(Utf8JsonWriter json, SentryRequest? request)
    {
        if (request is null)
        {
            return;
        }

        json.WriteStartObject(RequestName);
        WriteOptional(json, MethodName, request.Method);
        WriteOptional(json, UrlName, request.Url);
        if (request.HasHeaders)
        {
            json.WriteStartObject(HeadersName);
            foreach (var (name, value) in request.Headers)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        WriteOptional(json, CookiesName, request.Cookies);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
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

    private static void WriteData(Utf8JsonWriter json, Activity activity, IDictionary<string, object?>? changed, bool pii)
    {
        if (changed is not null)
        {
            if (changed.Count > 0)
            {
                json.WriteStartObject(DataName);
                foreach (var (key, value) in changed)
                {
                    json.WritePropertyName(key);
                    WriteValue(json, value, allowArray: true);
                }

                json.WriteEndObject();
            }

            return;
        }

        var started = false;
        foreach (var tag in activity.EnumerateTagObjects())
        {
            if (!SpanData.IsSent(tag.Key, pii))
            {
                continue;
            }

            if (!started)
            {
                json.WriteStartObject(DataName);
                started = true;
            }

            json.WritePropertyName(tag.Key);
            WriteValue(json, SpanData.Value(tag.Key, tag.Value), allowArray: true);
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
