using System.Text;

namespace TraceMiddleware.Tests.AspNetCore;

/// <summary>
/// Reads a <c>Server-Timing</c> value as browsers do (W3C Server Timing, "parse a server-timing header
/// field"): metrics separated by commas, each a token name with <c>;param=value</c> parameters whose value
/// is a token or a quoted-string; the first <c>desc</c> is the metric's description.
/// </summary>
public static class ServerTimingReader
{
    private const string TokenSpecials = "!#$%&'*+-.^_`|~";

    public static List<(string Name, string? Description)> Read(string value)
    {
        var metrics = new List<(string, string?)>();
        var i = 0;
        while (i < value.Length)
        {
            SkipSpace(value, ref i);
            var name = Token(value, ref i);
            if (name.Length == 0)
            {
                SkipPast(value, ref i);
                continue;
            }

            string? description = null;
            while (true)
            {
                SkipSpace(value, ref i);
                if (i >= value.Length || value[i] != ';')
                {
                    break;
                }

                i++;
                SkipSpace(value, ref i);
                var parameter = Token(value, ref i);
                SkipSpace(value, ref i);
                string? parameterValue = null;
                if (i < value.Length && value[i] == '=')
                {
                    i++;
                    SkipSpace(value, ref i);
                    parameterValue = i < value.Length && value[i] == '"' ? Quoted(value, ref i) : Token(value, ref i);
                }

                if (description is null && parameter.Equals("desc", StringComparison.OrdinalIgnoreCase))
                {
                    description = parameterValue ?? string.Empty;
                }
            }

            metrics.Add((name, description));
            SkipPast(value, ref i);
        }

        return metrics;
    }

    private static void SkipSpace(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t')
        {
            i++;
        }
    }

    private static void SkipPast(string s, ref int i)
    {
        while (i < s.Length && s[i] != ',')
        {
            if (s[i] == '"')
            {
                Quoted(s, ref i);
                continue;
            }

            i++;
        }

        i++;
    }

    private static string Token(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || TokenSpecials.Contains(s[i], StringComparison.Ordinal)))
        {
            i++;
        }

        return s[start..i];
    }

    private static string Quoted(string s, ref int i)
    {
        var text = new StringBuilder();
        i++;
        while (i < s.Length)
        {
            var c = s[i++];
            if (c == '"')
            {
                break;
            }

            if (c == '\\' && i < s.Length)
            {
                c = s[i++];
            }

            text.Append(c);
        }

        return text.ToString();
    }
}
