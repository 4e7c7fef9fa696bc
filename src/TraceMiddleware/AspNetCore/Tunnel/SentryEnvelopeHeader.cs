using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace TraceMiddleware.AspNetCore.Tunnel;

/// <summary>
/// Reads the <c>dsn</c> of a Sentry envelope's header, the JSON object on the envelope's first line,
/// which Sentry's browser SDK writes when its <c>tunnel</c> option is set.
/// </summary>
internal static class SentryEnvelopeHeader
{
    /// <summary>
    /// The longest header line read. A real one holds an event id, a timestamp, the SDK's name and the
    /// trace's DSC (itself at most 8192 bytes as baggage), so twice that is generous.
    /// </summary>
    public const int MaxLength = 16 * 1024;

    /// <summary>How deep the header's JSON may nest; real headers nest two levels.</summary>
    public const int MaxDepth = 16;

    /// <summary>The end of the header line in <paramref name="envelope"/>: the first <c>\n</c>, or the end of the data.</summary>
    /// <param name="envelope">The start of the (decoded) envelope.</param>
    /// <param name="complete">Whether <paramref name="envelope"/> is the whole body, so that no newline means a header-only envelope.</param>
    /// <param name="length">The length of the header line, without the newline.</param>
    /// <returns><see langword="false"/> when no line end is found within <see cref="MaxLength"/> bytes.</returns>
    public static bool TryFindLine(ReadOnlySpan<byte> envelope, bool complete, out int length)
    {
        var newline = envelope.IndexOf((byte)'\n');
        if (newline >= 0)
        {
            length = newline;
            return newline <= MaxLength;
        }

        length = envelope.Length;
        return complete && envelope.Length <= MaxLength;
    }

    /// <summary>
    /// Reads the top-level <c>dsn</c> string of an envelope header line. Never throws on input: anything
    /// that is not a single JSON object with exactly one string <c>dsn</c> is refused with a reason.
    /// </summary>
    /// <param name="headerLine">The envelope's first line (UTF-8 JSON), without the newline.</param>
    /// <param name="dsn">The DSN text, when the method returns <see langword="true"/>.</param>
    /// <param name="reason">A short reason for the browser and the debug log, when it returns <see langword="false"/>.</param>
    /// <returns>Whether the header names a DSN.</returns>
    public static bool TryReadDsn(ReadOnlySpan<byte> headerLine, [NotNullWhen(true)] out string? dsn, [NotNullWhen(false)] out string? reason)
    {
        dsn = null;
        if (headerLine.Length > MaxLength)
        {
            reason = $"the envelope header is longer than {MaxLength} bytes";
            return false;
        }

        var reader = new Utf8JsonReader(headerLine, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                reason = "the envelope header is not a JSON object";
                return false;
            }

            var found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isDsn = reader.ValueTextEquals("dsn"u8);
                reader.Read();
                if (!isDsn)
                {
                    reader.Skip();
                    continue;
                }

                if (found)
                {
                    // Sentry could read the other one: refuse rather than guess.
                    reason = "the envelope header has more than one dsn";
                    dsn = null;
                    return false;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    reason = "the envelope header's dsn is not a string";
                    return false;
                }

                dsn = reader.GetString();
                found = true;
            }

            // A trailing value after the object makes the reader throw, and so is refused below.
            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                reason = "the envelope header is not valid JSON";
                dsn = null;
                return false;
            }

            if (!found || string.IsNullOrEmpty(dsn))
            {
                reason = "the envelope header has no dsn";
                dsn = null;
                return false;
            }

            reason = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Utf8JsonReader has no Try form: invalid JSON and invalid UTF-8 surface as exceptions.
            reason = "the envelope header is not valid JSON";
            dsn = null;
            return false;
        }
    }
}
