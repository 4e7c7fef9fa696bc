using System.Text;

namespace TraceMiddleware.Testing;

/// <summary>
/// A seeded generator of hostile trace headers: random characters, near-miss forms of each header,
/// oversized values, many members, bad percent-encoding, duplicates, mixed case and the control
/// characters Kestrel lets through (everything but NUL, CR and LF). The same seed gives the same inputs.
/// </summary>
public sealed class HostileHeaders
{
    public const string ValidSentryTrace = "771a43a4192642f0b136d5159a501700-b7ad6b7169203331-1";
    public const string ValidTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    public const string ValidTracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
    public const string ValidBaggage = "sentry-environment=dev,sentry-release=shop%401.2.3,sentry-public_key=abc123,sentry-trace_id=771a43a4192642f0b136d5159a501700,sentry-transaction=checkout,sentry-sampled=true,sentry-sample_rand=0.3276234201731898,sentry-sample_rate=1,vendor=acme";

    /// <summary>Kestrel's default limit for all request headers together is 32 KiB; one value stays below it.</summary>
    public const int MaxValueLength = 16 * 1024;

    private static readonly string[] Valid = [ValidSentryTrace, ValidTraceparent, ValidTracestate, ValidBaggage];

    private const string Palette = "0123456789abcdefABCDEF-_=,;%:/.@*! \t\"'<>&()[]{}\\?#+~";

    private readonly Random _random;

    public HostileHeaders(int seed) => _random = new Random(seed);

    /// <summary>How many inputs a test runs: the environment variable's value, or <paramref name="fallback"/>.</summary>
    public static int Count(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var n) && n > 0 ? n : fallback;

    /// <summary>One request's worth of trace headers; any of them may be absent or repeated.</summary>
    public HostileRequest NextRequest() => new(Maybe(0), Maybe(3), Maybe(1), Maybe(2));

    /// <summary>One hostile value shaped after the valid header at <paramref name="kind"/> (0 sentry-trace, 1 traceparent, 2 tracestate, 3 baggage).</summary>
    public string NextValue(int kind)
    {
        var valid = Valid[kind];
        return _random.Next(12) switch
        {
            0 => RandomText(_random.Next(0, 80)),
            1 => Mutate(valid, 1),
            2 => Mutate(valid, _random.Next(2, 6)),
            3 => ChangeCase(valid),
            4 => valid + new string(Pick("-,= \t;x0"), _random.Next(1, 4)),
            5 => Oversized(valid),
            6 => ManyMembers(kind),
            7 => BadPercent(valid),
            8 => InsertControl(valid),
            9 => valid[.._random.Next(0, valid.Length)],
            10 => " \t" + valid + "\t ",
            _ => Mutate(valid, 1) + "," + valid,
        };
    }

    private string[]? Maybe(int kind)
    {
        var roll = _random.Next(10);
        if (roll < 2)
        {
            return null;
        }

        if (roll < 4)
        {
            // Duplicated header lines, valid and hostile mixed.
            return [NextValue(kind), _random.Next(2) == 0 ? Valid[kind] : NextValue(kind)];
        }

        return roll < 5 ? [Valid[kind]] : [NextValue(kind)];
    }

    private string RandomText(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = _random.Next(6) switch
            {
                0 => (char)_random.Next(0x01, 0x20) is var c && c is not '\r' and not '\n' ? c : 'x',
                1 => (char)_random.Next(0x7F, 0x100),
                2 => (char)_random.Next(0x100, 0xD800),
                _ => Pick(Palette),
            };
        }

        return new string(chars);
    }

    private string Mutate(string valid, int edits)
    {
        var text = new StringBuilder(valid);
        for (var e = 0; e < edits && text.Length > 0; e++)
        {
            var at = _random.Next(text.Length);
            switch (_random.Next(4))
            {
                case 0:
                    text[at] = Pick(Palette);
                    break;
                case 1:
                    text.Insert(at, Pick(Palette));
                    break;
                case 2:
                    text.Remove(at, 1);
                    break;
                default:
                    text[at] = char.IsUpper(text[at]) ? char.ToLowerInvariant(text[at]) : char.ToUpperInvariant(text[at]);
                    break;
            }
        }

        return text.ToString();
    }

    private string ChangeCase(string valid)
    {
        var chars = valid.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (_random.Next(3) == 0)
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }

    private string Oversized(string valid)
    {
        var length = _random.Next(valid.Length, MaxValueLength);
        var text = new StringBuilder(valid, length);
        while (text.Length < length)
        {
            text.Append(_random.Next(3) == 0 ? ",k" + text.Length + "=v" : Pick(Palette).ToString());
        }

        return text.ToString(0, length);
    }

    private string ManyMembers(int kind)
    {
        var count = _random.Next(30, 400);
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append(kind == 3 ? $"key{i}=value{i}" : kind == 2 ? $"k{i}=v{i}" : ValidSentryTrace);
        }

        return text.ToString();
    }

    private string BadPercent(string valid)
    {
        string[] bad = ["%", "%z", "%zz", "%C3", "%C3%28", "%ED%A0%80", "%FF", "%%", "%2", "%E2%82"];
        var at = _random.Next(valid.Length + 1);
        return valid.Insert(at, bad[_random.Next(bad.Length)]);
    }

    private string InsertControl(string valid)
    {
        char[] controls = ['\u0001', '\u0007', '\b', '\t', '\u000B', '\f', '\u001B', '\u007F', '\u0085', '\u00A0'];
        return valid.Insert(_random.Next(valid.Length + 1), controls[_random.Next(controls.Length)].ToString());
    }

    private char Pick(string from) => from[_random.Next(from.Length)];
}

/// <summary>The trace headers of one generated request; <see langword="null"/> means absent.</summary>
public sealed record HostileRequest(string[]? SentryTrace, string[]? Baggage, string[]? Traceparent, string[]? Tracestate);
